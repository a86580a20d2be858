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
