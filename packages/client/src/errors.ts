import type { ErrorBody } from '@dispatch/core/api';

/**
 * A non-2xx answer. `message` is the API's own message, as it came; `code`, `details` and `requestId`
 * are the contract's error fields (`requestId` matches the server's log line).
 */
export class DispatchApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: { path: string; message: string }[];
  readonly requestId: string | undefined;
  /** Seconds the server asked to wait (429, 503), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, body: ErrorBody | undefined, retryAfter: string | null) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.name = 'DispatchApiError';
    this.status = status;
    this.code = body?.error?.code ?? 'http_error';
    this.details = body?.error?.details ?? [];
    this.requestId = body?.error?.requestId;
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    this.retryAfterSeconds = Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
  }
}

/** The server could not be reached at all (refused, reset, DNS, timeout). */
export class DispatchConnectionError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot reach Dispatch at ${url}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'DispatchConnectionError';
  }
}
