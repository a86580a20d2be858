import { conflict, type SecretBox } from '@dispatch/core';
import { countSealedValues, lockEndpointsToReseal, writeResealedEndpoint, type EndpointToReseal, type ResealedColumns } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { sealedHeaderColumns } from './sealed-headers.js';

// Moving every sealed value (webhook secrets, previous secrets, custom headers) under the key ring's
// first key, so an old key can leave the ring; plaintext custom headers left by an upgrade are sealed
// on the way. Each call re-seals one bounded batch of locked rows in one transaction: calling until
// `remaining` is 0 re-seals everything, an interrupted run resumes where it stopped (what is done
// stays done), and two runs at once take different rows (SKIP LOCKED).

export type SecretsDeps = Pick<ApiDeps, 'db' | 'secretBox'>;

export interface SecretsStatus {
  keyId: string;
  /** Sealed values, plus plaintext custom headers not sealed yet. */
  total: number;
  /** Values sealed under the first key. */
  current: number;
  remaining: number;
}

export async function secretsStatus(deps: SecretsDeps): Promise<SecretsStatus> {
  const { total, current } = await countSealedValues(deps.db, { currentPrefix: deps.secretBox.currentPrefix });
  return { keyId: deps.secretBox.currentKeyId, total, current, remaining: total - current };
}

/** Re-seals at most `limit` values not under the first key, then says how many are left. */
export async function resealSecrets(deps: SecretsDeps, limit: number): Promise<{ keyId: string; resealed: number; remaining: number; total: number }> {
  const resealed = await deps.db.transaction(async (tx) => {
    let done = 0;
    for (const row of await lockEndpointsToReseal(tx, { currentPrefix: deps.secretBox.currentPrefix, limit })) {
      if (done >= limit) break;
      const { columns, count } = resealRow(deps.secretBox, row, limit - done);
      await writeResealedEndpoint(tx, row.id, columns);
      done += count;
    }
    return done;
  });
  const { keyId, total, remaining } = await secretsStatus(deps);
  return { keyId, resealed, remaining, total };
}

/** Seals every plaintext custom header map an upgrade left (migrate.js runs it); returns how many. */
export async function sealPlaintextHeaders(deps: SecretsDeps, batchSize = 500): Promise<number> {
  let sealed = 0;
  for (;;) {
    const count = await deps.db.transaction(async (tx) => {
      const rows = await lockEndpointsToReseal(tx, { currentPrefix: deps.secretBox.currentPrefix, limit: batchSize, plaintextHeadersOnly: true });
      for (const row of rows) await writeResealedEndpoint(tx, row.id, sealedHeaderColumns(deps.secretBox, row.plaintextHeaders ?? {}));
      return rows.length;
    });
    sealed += count;
    if (count < batchSize) return sealed;
  }
}

/** The new columns for one row's stale values, at most `budget` of them. */
function resealRow(box: SecretBox, row: EndpointToReseal, budget: number): { columns: ResealedColumns; count: number } {
  const columns: ResealedColumns = {};
  let count = 0;
  const stale = (value: string | null): value is string => value !== null && !box.isCurrent(value) && count < budget;
  const reseal = (value: string) => {
    count += 1;
    try {
      return box.seal(box.open(value));
    } catch (error) {
      // The operator can fix this (a key missing from the ring); the message names no key material.
      throw conflict(`endpoint ${row.id}: ${(error as Error).message}; the ring must hold every key that sealed a value: fix it, then reseal again`);
    }
  };
  if (stale(row.secretSealed)) columns.secretSealed = reseal(row.secretSealed);
  if (stale(row.previousSecretSealed)) columns.previousSecretSealed = reseal(row.previousSecretSealed);
  // Plaintext headers (left by an upgrade) are the newest write of the map when both are there.
  if (row.plaintextHeaders === null && stale(row.headersSealed)) columns.headersSealed = reseal(row.headersSealed);
  if (row.plaintextHeaders !== null && count < budget) {
    count += 1;
    Object.assign(columns, sealedHeaderColumns(box, row.plaintextHeaders));
  }
  return { columns, count };
}
