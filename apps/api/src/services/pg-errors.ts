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
