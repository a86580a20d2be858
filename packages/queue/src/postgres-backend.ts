import {
  PostgresConnection,
  PostgresQueueBackend,
  Queue,
  Worker,
  quoteSchemaName,
  runMigrations,
  type BackendFactory,
  type PostgresConnectionOptions,
  type Processor,
} from 'bullmq';
import pg from 'pg';
import type { EndpointPauses } from './endpoint-pauses.js';
import { ENDPOINT_PAUSE_TABLE_DDL, PostgresEndpointPauses } from './postgres-endpoint-pauses.js';
import type { AnyQueue, QueueBackend, QueueWorkerOptions } from './queue-backend.js';

export interface PostgresBackendSettings {
  databaseUrl: string;
  /** DISPATCH_QUEUE_PREFIX: names the schema, as it names the keys on Redis. */
  prefix: string;
  /** Connections for queue commands; each worker adds one it keeps for LISTEN. */
  poolSize: number;
  applicationName: string;
  onConnectionError?: (err: Error) => void;
}

/**
 * The schema holding a prefix's queues (BullMQ's Postgres backend ignores the key prefix; its
 * namespace is the schema). Characters a schema name cannot take become `_`.
 */
export function queueSchemaName(prefix: string): string {
  return `queue_${prefix.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * BullMQ's connection over our shared pool. BullMQ reads a schema only from a pool config it builds
 * a pool for itself (one pool per queue and worker); ours is one pool whose search_path already
 * points at the schema, so the schema is set here, and readiness first runs the migrations (once
 * per process), which BullMQ only checks for on a pool it did not build.
 */
class SharedPoolConnection extends PostgresConnection {
  constructor(pool: pg.Pool, schema: string, private readonly migrated: () => Promise<void>) {
    super(pool as unknown as PostgresConnectionOptions);
    (this as { schema: string }).schema = schema;
  }

  override async waitUntilReady(): Promise<void> {
    await this.migrated();
    return super.waitUntilReady();
  }
}

/** BullMQ on Postgres: every queue and worker of the process shares one pg.Pool. */
export class PostgresBackend implements QueueBackend {
  readonly kind = 'postgres';
  readonly sharedRedis = undefined;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private migration: Promise<void> | undefined;

  constructor(private readonly settings: PostgresBackendSettings) {
    this.schema = queueSchemaName(settings.prefix);
    this.pool = new pg.Pool({
      connectionString: settings.databaseUrl,
      max: settings.poolSize,
      application_name: settings.applicationName,
      // Workers' LISTEN connections come from this pool: keepalive lets a silently dropped one be
      // noticed and rebuilt (BullMQ then lets an idle worker block long instead of polling).
      keepAlive: true,
      options: `-c search_path=${quoteSchemaName(this.schema)}`,
    });
    // Each BullMQ connection over the pool listens for its errors.
    this.pool.setMaxListeners(0);
    this.pool.on('error', (err) => settings.onConnectionError?.(err));
    // Started now, so the first jobs do not wait for the schema (a failure is retried on next use).
    this.migrated().catch((err: Error) => settings.onConnectionError?.(err));
  }

  /** Runs BullMQ's migrations and creates the pause table, once per process; a failure is retried on next use. */
  private readonly migrated = (): Promise<void> => {
    this.migration ??= this.migrate().catch((error: unknown) => {
      this.migration = undefined;
      throw error;
    });
    return this.migration;
  };

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await runMigrations(client, this.schema);
      // Serialised like BullMQ's own migrations: two processes creating the table at once would collide.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schema}.dispatch`]);
      await client.query(ENDPOINT_PAUSE_TABLE_DDL);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private readonly factory: BackendFactory<PostgresQueueBackend, PostgresConnectionOptions> = (name, opts, factoryOpts = {}) => {
    // Named like createPostgresBackend names them, so getWorkers() finds the workers.
    const workerName = (opts as { name?: string }).name;
    const worker = workerName ? `${name}:w:${workerName}` : name;
    const listenName = factoryOpts.withBlockingConnection ? worker : factoryOpts.blocking ? `${name}:qe` : undefined;
    return new PostgresQueueBackend(new SharedPoolConnection(this.pool, this.schema, this.migrated), name, opts, true, listenName);
  };

  queue(name: string): AnyQueue {
    return new Queue(name, { connection: this.pool as unknown as PostgresConnectionOptions }, this.factory);
  }

  worker(name: string, processor: Processor, options: QueueWorkerOptions) {
    // A worker holds one pool connection for LISTEN for as long as it runs: it gets one more.
    this.pool.options.max += 1;
    return new Worker(name, processor, { ...options, connection: this.pool as unknown as PostgresConnectionOptions }, this.factory);
  }

  endpointPauses(): EndpointPauses {
    return new PostgresEndpointPauses(this.pool, this.migrated);
  }

  isReady(): boolean {
    return true;
  }

  async ping(): Promise<void> {
    await this.migrated();
    await this.pool.query('SELECT 1 FROM migration LIMIT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
