import type { Got } from 'got';
import type { Logger } from 'pino';
import type { Database } from '@dispatch/db';
import type { Queues } from '@dispatch/queue';
import type { WorkerConfig } from './config.js';
import type { BreakerSync } from './delivery/breaker-sync.js';
import type { DeliveryStore } from './delivery/delivery-store.js';
import type { EndpointGuard } from './delivery/endpoint-guard.js';
import type { PausePublisher } from './delivery/pause-publisher.js';
import type { SecretCache } from './delivery/secret-cache.js';
import type { WorkerObservability } from './observability/worker-observability.js';
import type { WorkspaceGuard } from './delivery/workspace-guard.js';

export interface WorkerDeps {
  config: WorkerConfig;
  db: Database;
  queues: Queues;
  /** Opened webhook secrets and custom headers (each opened once, then cached for a while). */
  secrets: SecretCache;
  /** Claims deliveries and records plain successes, batched per event-loop turn. */
  deliveryStore: DeliveryStore;
  http: Got;
  endpointGuard: EndpointGuard;
  workspaceGuard: WorkspaceGuard;
  pausePublisher: PausePublisher;
  /** Tells the other workers of a success here, and closes this worker's breakers on theirs. */
  breakerSync: BreakerSync;
  logger: Logger;
  observability: WorkerObservability;
}
