import { describe, expect, it } from '@jest/globals';
import { ATTEMPT_ERRORS, attemptErrorFromCode, breakerSignal, classifyError, classifyStatus, type AttemptError, type BreakerSignal, type Outcome } from './outcome.js';

describe('classifyStatus', () => {
  it.each([
    [200, 'success'],
    [201, 'success'],
    [204, 'success'],
    [299, 'success'],
    [301, 'retry'],
    [302, 'retry'],
    [304, 'retry'],
    [400, 'retry'],
    [401, 'retry'],
    [404, 'retry'],
    [410, 'gone'],
    [413, 'retry'],
    [429, 'throttle'],
    [500, 'retry'],
    [501, 'retry'],
    [502, 'throttle'],
    [503, 'throttle'],
    [504, 'throttle'],
    [100, 'retry'],
    [300, 'retry'],
    [199, 'retry'],
  ] as const)('%d is %s', (status, kind) => {
    expect(classifyStatus(status)).toEqual({ kind });
  });
});

describe('breakerSignal', () => {
  it.each<[number, BreakerSignal]>([
    [200, 'ok'],
    [204, 'ok'],
    [299, 'ok'],
    [429, 'throttle'],
    [502, 'throttle'],
    [503, 'throttle'],
    [504, 'throttle'],
    [500, 'failure'],
    [501, 'failure'],
    [505, 'failure'],
    [599, 'failure'],
    // 4xx (410 included) is a verdict on the message, not on the endpoint: it does not count.
    [400, 'verdict'],
    [401, 'verdict'],
    [404, 'verdict'],
    [410, 'verdict'],
    [413, 'verdict'],
    [301, 'verdict'],
    [304, 'verdict'],
  ])('an answer %d is %s', (status, signal) => {
    expect(breakerSignal(status, null)).toBe(signal);
  });

  it.each(ATTEMPT_ERRORS)('no answer (%s) is a failure', (error) => {
    expect(breakerSignal(null, error)).toBe('failure');
  });

  it('counts a throttling status as a throttle and every status classifyStatus throttles on', () => {
    for (let status = 100; status < 600; status++) {
      expect(breakerSignal(status, null) === 'throttle').toBe(classifyStatus(status).kind === 'throttle');
    }
  });
});

describe('classifyError', () => {
  it('never retries a blocked destination', () => {
    expect(classifyError('destination_blocked')).toEqual({ kind: 'permanent' });
  });

  it.each(ATTEMPT_ERRORS.filter((e) => e !== 'destination_blocked'))('retries %s', (error) => {
    expect(classifyError(error)).toEqual({ kind: 'retry' } satisfies Outcome);
  });
});

describe('attemptErrorFromCode', () => {
  it.each<[string | undefined, string | undefined, AttemptError]>([
    ['ECONNREFUSED', undefined, 'connection_refused'],
    ['ENOTFOUND', undefined, 'dns_failure'],
    ['EAI_AGAIN', undefined, 'dns_failure'],
    ['ENODATA', undefined, 'dns_failure'],
    ['ETIMEDOUT', undefined, 'timeout'],
    ['ESOCKETTIMEDOUT', undefined, 'timeout'],
    [undefined, 'TimeoutError', 'timeout'],
    ['ETIMEDOUT', 'TimeoutError', 'timeout'],
    ['CERT_HAS_EXPIRED', undefined, 'tls_error'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', undefined, 'tls_error'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', undefined, 'tls_error'],
    ['SELF_SIGNED_CERT_IN_CHAIN', undefined, 'tls_error'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', undefined, 'tls_error'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', undefined, 'tls_error'],
    ['EPROTO', undefined, 'tls_error'],
    ['ERR_DESTINATION_BLOCKED', undefined, 'destination_blocked'],
    ['ECONNRESET', undefined, 'network_error'],
    ['EPIPE', undefined, 'network_error'],
    ['EHOSTUNREACH', undefined, 'network_error'],
    [undefined, undefined, 'network_error'],
    [undefined, 'RequestError', 'network_error'],
  ])('code %s, name %s is %s', (code, name, error) => {
    expect(attemptErrorFromCode(code, name)).toBe(error);
  });

  it('always answers one of the contract errors', () => {
    for (const code of ['ECONNREFUSED', 'WHATEVER', '', undefined]) {
      expect(ATTEMPT_ERRORS).toContain(attemptErrorFromCode(code));
    }
  });

  it('lets a timeout win over the socket code got attaches to it', () => {
    expect(attemptErrorFromCode('ECONNRESET', 'TimeoutError')).toBe('timeout');
  });
});
