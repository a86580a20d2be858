import { describe, expect, it } from '@jest/globals';
import { ATTEMPT_ERRORS, newId } from '@dispatch/core';
import { ATTEMPT_OUTCOMES, attemptOutcome, endpointKindOf } from './metric-names.js';
import { metricsAuthorized } from './metrics-token.js';

describe('attemptOutcome', () => {
  it.each([
    [200, 'success'],
    [204, 'success'],
    [429, 'throttle'],
    [503, 'throttle'],
    [410, 'gone'],
    [500, 'http_error'],
    [404, 'http_error'],
    [301, 'http_error'],
  ] as const)('an HTTP %i is %s', (status, outcome) => {
    expect(attemptOutcome(status, null)).toBe(outcome);
  });

  it('names a missing answer by its attempt error, and nothing else', () => {
    for (const error of ATTEMPT_ERRORS) expect(attemptOutcome(null, error)).toBe(error);
    expect(attemptOutcome(null, 'something new')).toBe('network_error');
    expect(new Set(ATTEMPT_OUTCOMES).size).toBe(ATTEMPT_OUTCOMES.length);
  });
});

describe('endpointKindOf', () => {
  it('reads the kind from the id prefix', () => {
    expect(endpointKindOf(newId('workspaceWebhook'))).toBe('workspace_webhook');
    expect(endpointKindOf(newId('linkWebhook'))).toBe('link_webhook');
    expect(endpointKindOf(newId('outboundWebhook'))).toBe('outbound_webhook');
    expect(endpointKindOf('whatever')).toBe('unknown');
    expect(endpointKindOf('lw_1')).toBe('unknown');
  });
});

describe('metricsAuthorized', () => {
  const token = 'metrics-token-0123456789';
  it('lets everyone in without a configured token', () => {
    expect(metricsAuthorized(undefined, undefined)).toBe(true);
  });
  it('wants the exact bearer token when one is configured', () => {
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(`bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(undefined, token)).toBe(false);
    expect(metricsAuthorized(token, token)).toBe(false);
    expect(metricsAuthorized(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsAuthorized('Bearer ', token)).toBe(false);
    expect(metricsAuthorized(`Basic ${token}`, token)).toBe(false);
  });
});
