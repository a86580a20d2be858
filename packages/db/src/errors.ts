// What a Postgres (or connection) error means, decided here once: the only package that talks to
// Postgres knows its error codes; callers ask these questions instead of reading SQLSTATEs.

/**
 * True when Postgres itself refused a statement (it answered with a SQLSTATE: a constraint, a value it
 * cannot store, a deadlock), as opposed to the connection failing, where nobody knows whether it ran.
 * Looks through drizzle's wrapper (`cause`). A batch refused so left nothing behind and may be retried
 * item by item; a batch lost with its connection may have committed and must not be.
 */
export function refusedByPostgres(error: unknown): boolean {
  for (const candidate of [error, (error as { cause?: unknown } | undefined)?.cause]) {
    const { code, severity } = (candidate ?? {}) as { code?: unknown; severity?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string') return true;
  }
  return false;
}

/** The SQLSTATE codes on an error: pg's own, or the one drizzle wraps (as `cause`). */
function pgCodes(error: unknown): unknown[] {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return [code, cause?.code];
}

/** Postgres unique violation (23505), whether thrown by pg directly or wrapped by drizzle. */
export function isUniqueViolation(error: unknown): boolean {
  return pgCodes(error).includes('23505');
}

// Data exceptions caused by a value the caller sent, which validation should have refused first:
// 22021 invalid byte sequence (a NUL in text), 22P05 untranslatable character (a NUL in jsonb),
// 22P02 invalid text representation, 22007 invalid datetime format, 22008 datetime out of range.
const INVALID_INPUT_CODES = new Set<unknown>(['22021', '22P05', '22P02', '22007', '22008']);

/** True when Postgres refused a value as unstorable or malformed input: the caller's mistake, a 400. */
export function isInvalidInput(error: unknown): boolean {
  return pgCodes(error).some((code) => INVALID_INPUT_CODES.has(code));
}

// Errors that mean "a backing service is down": the caller should retry, and nothing was accepted.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08001', '08003', '08006']);
// pg's messages for a connection that is gone (they carry no code): lost mid-query, lost while the
// client was checked out (the next query or the rollback then fails), or never established.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|connect ECONNREFUSED|read ECONNRESET/;

/**
 * True when Postgres (or the network to it) is unavailable. drizzle wraps every driver error in a
 * DrizzleQueryError whose `cause` is pg's, so look down the chain; the wrapper's own message holds
 * the SQL and its parameters (caller data), so it is not matched.
 */
export function isUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { code, message, cause } = error as { code?: string; message?: string; cause?: unknown };
  const wrapper = 'query' in error;
  if (!wrapper && code && UNAVAILABLE_CODES.has(code)) return true;
  if (!wrapper && typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  return isUnavailable(cause, depth + 1);
}
