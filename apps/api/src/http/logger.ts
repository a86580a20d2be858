import { pino, type DestinationStream, type Logger } from 'pino';
import { LOG_REDACT_PATHS } from '@dispatch/core';

/** `destination`: stdout unless given (tests read the lines). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { name: 'dispatch-api', level, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
