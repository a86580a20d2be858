import { describe, expect, it } from '@jest/globals';
import { toAppError } from './errors.middleware.js';

// toAppError on errors the API does not throw itself. The fuzz test (test/fuzz.int.test.ts) finds
// these through HTTP; the Postgres safety net is only reachable when a schema misses a case, so it is
// pinned here.

const MAX_BODY = 1024;
const httpError = (status: number, expose = status < 500) => Object.assign(new Error('body-parser says'), { status, statusCode: status, expose });
/** What drizzle throws: a wrapper holding the SQL, with pg's error as `cause`. */
const drizzleError = (code: string) => Object.assign(new Error('Failed query: select ...'), { query: 'select ...', params: [], cause: Object.assign(new Error('pg'), { code }) });
const answer = (error: unknown) => {
  const e = toAppError(error, MAX_BODY);
  return { status: e.status, code: e.code, expose: e.expose };
};

describe('toAppError', () => {
  it("maps the router's URIError (malformed percent escape in the path) to 400", () => {
    expect(answer(Object.assign(new URIError('URI malformed'), { status: 400 }))).toEqual({ status: 400, code: 'bad_request', expose: true });
  });

  it.each([
    [400, 400, 'bad_request'],
    [413, 413, 'payload_too_large'],
    [415, 400, 'bad_request'], // the contract lists no 415
    [403, 400, 'bad_request'],
  ])('maps an exposed body-parser %i (no `type`) to %i', (status, expected, code) => {
    expect(answer(httpError(status))).toEqual({ status: expected, code, expose: true });
  });

  it('keeps unexposed or 5xx http errors a 500 that shows nothing', () => {
    expect(answer(httpError(500))).toEqual({ status: 500, code: 'internal_error', expose: false });
    expect(answer(httpError(400, false))).toEqual({ status: 500, code: 'internal_error', expose: false });
  });

  it.each(['22021', '22P05', '22P02', '22007', '22008'])('maps Postgres data exception %s (a value the caller sent) to 400', (code) => {
    expect(answer(drizzleError(code))).toEqual({ status: 400, code: 'bad_request', expose: true });
    expect(answer(Object.assign(new Error('pg'), { code }))).toEqual({ status: 400, code: 'bad_request', expose: true });
  });

  it('leaves other Postgres errors a 500 and outages a 503', () => {
    expect(answer(drizzleError('22012'))).toEqual({ status: 500, code: 'internal_error', expose: false });
    expect(answer(drizzleError('57P01'))).toEqual({ status: 503, code: 'service_unavailable', expose: true });
  });
});
