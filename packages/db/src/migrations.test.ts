import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, it } from '@jest/globals';

// Drizzle's migrator applies, on a database, the migrations whose `when` is later than the last one
// that database applied. So a landed migration must never change: a database that ran its old text
// never runs the new one (or runs it again on top, and fails: it happened once, when a second
// statement was folded into 0002). Each landed migration's text is pinned here; a new migration is
// added to the list, and a change to an old one goes into a new migration instead.
const LANDED: Record<string, string> = {
  '0000_init': '2e23163be269c84b',
  '0001_deliveries_fillfactor': 'a9a0f36440b6aacc',
  '0002_deliveries_drop_created_index': '9f42b3fdd3197055',
  '0003_deliveries_drop_event_fk': '498ff3e56b155f50',
  '0004_api_key_lifecycle': '95b07e7c1c0fa69b',
  '0005_seal_custom_headers': 'e6f586ec0a0541a0',
  '0006_attempts_unique_attempt_no': '2ba02dd802fbdf6f',
  '0007_on_call': '5c851ed13b802009',
  '0008_manual_attempts': '1b38449c92424cbd',
  '0009_deliveries_due_keyset': '7c287d872624493f',
  '0010_deliveries_endpoint_statistics': '357a28db660a006a',
  '0011_endpoint_health_indexes': 'e93d74874785b042',
  '0012_attempts_go_with_their_deliveries': '4d9489e160c6f182',
};

const folder = new URL('../drizzle/', import.meta.url);
const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', folder), 'utf8')) as { entries: { tag: string; when: number }[] };
const sha = (tag: string) => createHash('sha256').update(readFileSync(new URL(`${tag}.sql`, folder))).digest('hex').slice(0, 16);

it('keeps every landed migration as it landed, and lists each new one', () => {
  expect(Object.fromEntries(journal.entries.map(({ tag }) => [tag, sha(tag)]))).toEqual(LANDED);
});

it('dates each migration after the one before it, or databases that ran the earlier one would skip it', () => {
  const whens = journal.entries.map((entry) => entry.when);
  expect(whens).toEqual([...whens].sort((a, b) => a - b));
  expect(new Set(whens).size).toBe(whens.length);
});
