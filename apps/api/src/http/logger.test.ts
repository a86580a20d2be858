import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';

// What the API and the worker log goes through the same redaction paths (core's LOG_REDACT_PATHS).
function linesOf(log: (logger: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  log(logger);
  return lines.join('');
}

describe('log redaction', () => {
  const token = 'Bearer custom-header-token-0123456789';

  it.each([
    ['a header map', { headers: { Authorization: token } }],
    ['a header map inside an object', { endpoint: { headers: { 'X-Api-Key': token } } }],
    ['the request headers of an attempt', { requestHeaders: { Authorization: token, 'webhook-id': 'evt_1' } }],
    ['the request headers of an attempt inside an object', { attempt: { requestHeaders: { Authorization: token } } }],
    ['sealed or plaintext header columns', { row: { headersSealed: token, plaintextHeaders: { Authorization: token } } }],
    ['an incoming request', { req: { method: 'POST', headers: { authorization: token, 'x-custom': token } } }],
  ])('leaves custom header values out of %s', (_what, fields) => {
    const text = linesOf((logger) => logger.info(fields, 'something happened'));
    expect(text).toContain('something happened');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('custom-header-token');
  });

  it('still redacts secrets and signatures', () => {
    const text = linesOf((logger) => logger.info({ secret: 'whsec_abc', delivery: { 'webhook-signature': 'v1,abc' } }, 'x'));
    expect(text).not.toContain('whsec_abc');
    expect(text).not.toContain('v1,abc');
  });
});
