// The one place that decides what an HTTP answer (or the lack of one) means for a delivery.

// The contract also names `too_many_redirects`: redirects are never followed (a 3xx is an answer,
// recorded with its status), so no attempt can end that way and it is not in this list.
export const ATTEMPT_ERRORS = [
  'timeout',
  'connection_refused',
  'dns_failure',
  'tls_error',
  'destination_blocked',
  'network_error',
] as const;
export type AttemptError = (typeof ATTEMPT_ERRORS)[number];

export type Outcome =
  /** 2xx: the delivery is done. */
  | { kind: 'success' }
  /** 410: the receiver asked us to stop; end the delivery and disable the endpoint. */
  | { kind: 'gone' }
  /** 429/502/503/504: the receiver is overloaded; retry later, honouring Retry-After. */
  | { kind: 'throttle' }
  /** Anything else (3xx, 4xx, 5xx, network errors): retry on the schedule. */
  | { kind: 'retry' }
  /** Refused before sending (blocked destination): retrying cannot help. */
  | { kind: 'permanent' };

const THROTTLE_STATUSES = new Set([429, 502, 503, 504]);

export function classifyStatus(statusCode: number): Outcome {
  if (statusCode >= 200 && statusCode < 300) return { kind: 'success' };
  if (statusCode === 410) return { kind: 'gone' };
  if (THROTTLE_STATUSES.has(statusCode)) return { kind: 'throttle' };
  return { kind: 'retry' };
}

/**
 * What an attempt says about the endpoint rather than the message: the circuit breaker's input.
 * - `throttle`: 429/502/503/504, the receiver is overloaded; back off at once.
 * - `failure`: no answer (timeout, refused or reset connection, DNS, TLS, blocked) or another 5xx;
 *   the endpoint is failing, and a run of these backs off.
 * - `verdict`: any other answer (3xx, 4xx): a verdict on the message, which says nothing against
 *   the endpoint's health and does not count.
 * - `ok`: 2xx.
 */
export type BreakerSignal = 'ok' | 'verdict' | 'failure' | 'throttle';

export function breakerSignal(statusCode: number | null, error: AttemptError | null): BreakerSignal {
  if (statusCode !== null && THROTTLE_STATUSES.has(statusCode)) return 'throttle';
  if (error !== null || (statusCode !== null && statusCode >= 500)) return 'failure';
  return statusCode !== null && statusCode >= 200 && statusCode < 300 ? 'ok' : 'verdict';
}

export function classifyError(error: AttemptError): Outcome {
  // A blocked destination is a configuration problem of the endpoint, not a transient fault.
  if (error === 'destination_blocked') return { kind: 'permanent' };
  return { kind: 'retry' };
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO$|HOSTNAME_MISMATCH)/;

/** Maps a Node/got error code (and got's error name) to the contract's attempt `error`. */
export function attemptErrorFromCode(code: string | undefined, name?: string): AttemptError {
  if (name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  if (code === 'ERR_DESTINATION_BLOCKED') return 'destination_blocked';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return 'dns_failure';
  if (code && TLS_CODE.test(code)) return 'tls_error';
  return 'network_error';
}
