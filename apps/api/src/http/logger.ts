import { pino, type Logger } from 'pino';
import { LOG_REDACT_PATHS } from '@dispatch/core';

export function createLogger(level: string): Logger {
  return pino({ name: 'dispatch-api', level, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } });
}
