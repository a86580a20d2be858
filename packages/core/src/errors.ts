// One error base class: the API's error middleware turns it into the contract's error shape.
// `expose` says whether `message` may be shown to the caller (false for internal failures).

export interface ErrorDetail {
  path: string;
  message: string;
}

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'feature_not_enabled'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly expose = status < 500,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new AppError('bad_request', 400, message, details);
export const unauthorized = (message = 'missing, malformed or unknown API key') =>
  new AppError('unauthorized', 401, message);
export const forbidden = (message: string) => new AppError('forbidden', 403, message);
export const featureNotEnabled = (feature: string) =>
  new AppError('feature_not_enabled', 403, `the workspace does not have the "${feature}" feature`);
export const notFound = (what: string) => new AppError('not_found', 404, `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', 409, message);
export const payloadTooLarge = (limitBytes: number) =>
  new AppError('payload_too_large', 413, `request body is larger than ${limitBytes} bytes`);
/** A 429; the error middleware sends `retryAfterSeconds` as the `retry-after` header. */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 429, `rate limit exceeded, retry in ${retryAfterSeconds}s`);
  }
}
export const rateLimited = (retryAfterSeconds: number) => new RateLimitedError(Math.max(1, Math.ceil(retryAfterSeconds)));
export const serviceUnavailable = (message = 'a backing service is unavailable, retry shortly') =>
  new AppError('service_unavailable', 503, message, [], true);

/** A zod error as the contract's `details`: one `{ path, message }` per issue, under `prefix`. */
export function zodIssueDetails(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, prefix?: string): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: issue.message,
  }));
}
