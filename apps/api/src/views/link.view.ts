import type { Link } from '@dispatch/core/api';
import type { LinkRow } from '@dispatch/db';
import { iso } from './time.js';

export function linkView(row: LinkRow): Link {
  return { id: row.id, url: row.url, key: row.key, externalId: row.externalId, createdAt: iso(row.createdAt) };
}
