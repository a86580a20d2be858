// What the test harness (test-support/) and the other app's tests may use of the API, through the
// package export `@dispatch/api/testing`: the app built in-process, and the few services a test
// needs to set itself up. Nothing else reaches into apps/api/src from outside the app.
export { createApp } from './app.js';
export { buildApiDeps, type ApiTuning } from './bootstrap.js';
export { apiConfigSchema, type ApiConfig } from './config.js';
export { createLogger } from './http/logger.js';
export { createApiKey, createWorkspace } from './services/workspaces.service.js';
export { INLINE_FANOUT_LIMIT } from './ingest/enqueuer.js';
export { FanoutCache } from './ingest/fanout-cache.js';
export { QueueHandoff } from './ingest/queue-handoff.js';
