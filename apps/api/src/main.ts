import { parseConfig } from '@dispatch/core';
import { createApp } from './app.js';
import { buildApiDeps } from './bootstrap.js';
import { apiConfigSchema } from './config.js';
import { createLogger } from './http/logger.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

function loadConfig() {
  try {
    return parseConfig(apiConfigSchema, process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const { deps, close } = buildApiDeps(config, logger);
const server = createApp(deps).listen(config.PORT, () => {
  logger.info({ port: config.PORT }, `Dispatch API listening on http://127.0.0.1:${config.PORT}`);
});
server.keepAliveTimeout = 65_000;

// Stop taking requests, let in-flight ones finish, then close Redis and the pool, within a deadline.
async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error('shutdown deadline passed; exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
