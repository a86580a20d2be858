import type { ServerResponse } from 'node:http';
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

// Keep-alive connections would hold `server.close()` open until keepAliveTimeout, long past the
// deadline. Once shutting down, every answer not yet sent says `connection: close` (the socket closes
// after it), and connections that fall idle are closed.
let closing = false;
const unsent = new Set<ServerResponse>();
server.prependListener('request', (_req, res: ServerResponse) => {
  if (closing) res.setHeader('connection', 'close');
  unsent.add(res);
  res.once('finish', () => unsent.delete(res));
  res.once('close', () => unsent.delete(res));
});

// Stop taking requests, let in-flight ones finish, then close Redis and the pool, within a deadline.
async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error('shutdown deadline passed; exiting');
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  closing = true;
  for (const res of unsent) if (!res.headersSent) res.setHeader('connection', 'close');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  await closed;
  clearInterval(sweep);
  await close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
