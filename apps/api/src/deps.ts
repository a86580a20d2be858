import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { SecretBox } from '@dispatch/core';
import type { Database } from '@dispatch/db';
import type { Queues } from '@dispatch/queue';
import type { ApiConfig } from './config.js';

/** Everything a service needs, built once at boot and passed explicitly (tests build their own). */
export interface ApiDeps {
  config: ApiConfig;
  db: Database;
  redis: Redis;
  queues: Queues;
  secretBox: SecretBox;
  logger: Logger;
}
