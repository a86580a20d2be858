import { attemptAbandonedAfterMs, LOG_REDACT_PATHS, parseConfig } from '@dispatch/core';
import { pino } from 'pino';
import { workerConfigSchema } from './config.js';
import { startWorker } from './runtime.js';

function loadConfig() {
  try {
    return parseConfig(workerConfigSchema, process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

const config = loadConfig();
const logger = pino({ name: 'dispatch-worker', level: config.LOG_LEVEL, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } });
const runtime = await startWorker(config, logger);
logger.info({ concurrency: config.DISPATCH_WORKER_CONCURRENCY, prefix: config.DISPATCH_QUEUE_PREFIX }, 'Dispatch worker started');

// Active attempts may take up to the request timeout; give them as long as an attempt may take
// before it counts as abandoned (past that, another worker may take its delivery over anyway).
async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down: finishing active attempts');
  const deadline = setTimeout(() => {
    logger.error('shutdown deadline passed; exiting');
    process.exit(1);
  }, attemptAbandonedAfterMs(config.DISPATCH_REQUEST_TIMEOUT));
  deadline.unref();
  await runtime.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
