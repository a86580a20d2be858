import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';

// Loaded with `--import` into the API and worker children when counting is on. Counts every SQL
// statement (by its first words) and every Redis command (BullMQ scripts by name) this process sends,
// and writes the totals to BENCH_COUNTS_FILE every 250 ms. Costs a Map update per call.

const file = process.env.BENCH_COUNTS_FILE;
const sql = new Map<string, number>();
const redis = new Map<string, number>();
const scriptNames = new Map<string, string>();
let sqlTotal = 0;
let redisTotal = 0;
let redisPipelined = 0;

// Statement texts repeat (the same few queries, built again each time): remember their keys.
const keys = new Map<string, string>();

function statementKey(query: unknown): string {
  const text = typeof query === 'string' ? query : ((query as { text?: string } | null)?.text ?? '?');
  let key = keys.get(text);
  if (key === undefined) {
    if (keys.size > 1_000) keys.clear();
    key = text.slice(0, 400).replace(/\s+/g, ' ').trim().slice(0, 90);
    keys.set(text, key);
  }
  return key;
}

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
const originalQuery = pg.Client.prototype.query as unknown as QueryFn;
(pg.Client.prototype as unknown as { query: QueryFn }).query = function (this: pg.Client, ...args: unknown[]) {
  sqlTotal++;
  const key = statementKey(args[0]);
  sql.set(key, (sql.get(key) ?? 0) + 1);
  return originalQuery.apply(this, args);
};

interface CommandLike {
  name: string;
  args: unknown[];
}
type SendCommand = (this: Redis, command: CommandLike, stream?: unknown, node?: unknown) => unknown;
type DefineCommand = (this: Redis, name: string, definition: { lua: string; numberOfKeys?: number }) => unknown;
const proto = Redis.prototype as unknown as { sendCommand: SendCommand; defineCommand: DefineCommand };
const originalSend = proto.sendCommand;
const originalDefine = proto.defineCommand;

proto.defineCommand = function (name, definition) {
  scriptNames.set(createHash('sha1').update(definition.lua).digest('hex'), name.replace(/-\d+$/, ''));
  return originalDefine.call(this, name, definition);
};
proto.sendCommand = function (command, stream, node) {
  redisTotal++;
  // Pipelines (and MULTI) hand each queued command to sendCommand with the pipeline's stream.
  if (stream !== undefined) redisPipelined++;
  let key = command.name;
  if (key === 'evalsha' || key === 'eval') {
    const first = String(command.args[0] ?? '');
    const sha = key === 'eval' ? createHash('sha1').update(first).digest('hex') : first;
    key = `${key}:${scriptNames.get(sha) ?? sha.slice(0, 8)}`;
  }
  redis.set(key, (redis.get(key) ?? 0) + 1);
  return originalSend.call(this, command, stream, node);
};

function flush(): void {
  if (!file) return;
  const snapshot = { pid: process.pid, sqlTotal, sql: Object.fromEntries(sql), redisTotal, redisPipelined, redis: Object.fromEntries(redis) };
  try {
    writeFileSync(file, JSON.stringify(snapshot));
  } catch {
    // The results directory can vanish at the very end; counts are best effort.
  }
}

setInterval(flush, 250).unref();
process.on('exit', flush);
