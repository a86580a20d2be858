// Log redaction paths shared by every process: secrets, API keys, custom headers and signatures
// never reach the logs.
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'secret',
  '*.secret',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  '*["webhook-signature"]',
  '*["svix-signature"]',
  // Custom headers of outbound webhooks are secrets: any header map is left out of the logs whole,
  // plaintext or sealed, wherever an object carrying one is logged.
  'headers',
  '*.headers',
  'requestHeaders',
  '*.requestHeaders',
  'headersSealed',
  '*.headersSealed',
  'plaintextHeaders',
  '*.plaintextHeaders',
];

/**
 * A log-safe view of an error. Query errors from drizzle carry the SQL parameters in their message
 * (sealed secrets, payloads); the driver's own error underneath says what went wrong without them.
 */
export function loggableError(error: unknown): { name: string; message: string; code?: string; stack?: string } {
  const err = error as { name?: string; message?: string; code?: string; stack?: string; cause?: unknown; query?: unknown };
  if (err && typeof err === 'object' && 'query' in err && err.cause) return loggableError(err.cause);
  if (!(error instanceof Error)) return { name: 'NonError', message: String(error) };
  return { name: err.name ?? 'Error', message: err.message ?? '', code: err.code, stack: err.stack };
}
