import { LOG_REDACT_PATHS, parseConfig } from '@dispatch/core';
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

// Active attempts may take up to the request timeout; give them that, plus a margin, to finish.
async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down: finishing active attempts');
  const deadline = setTimeout(() => {
    logger.error('shutdown deadline passed; exiting');
    process.exit(1);
  }, config.DISPATCH_REQUEST_TIMEOUT + 10_000);
  deadline.unref();
  await runtime.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
