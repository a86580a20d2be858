import type { Got } from 'got';
import type { Logger } from 'pino';
import type { SecretBox } from '@dispatch/core';
import type { Database } from '@dispatch/db';
import type { Queues } from '@dispatch/queue';
import type { WorkerConfig } from './config.js';
import type { EndpointGuard } from './delivery/endpoint-guard.js';
import type { PausePublisher } from './delivery/pause-publisher.js';
import type { WorkerObservability } from './observability/worker-observability.js';
import type { WorkspaceGuard } from './delivery/workspace-guard.js';

export interface WorkerDeps {
  config: WorkerConfig;
  db: Database;
  queues: Queues;
  secretBox: SecretBox;
  http: Got;
  endpointGuard: EndpointGuard;
  workspaceGuard: WorkspaceGuard;
  pausePublisher: PausePublisher;
  logger: Logger;
  observability: WorkerObservability;
}
