import { desc, lt, type AnyColumn, type SQL } from 'drizzle-orm';

// Ids are time-sortable, so "newest first" is "id descending" and the cursor is the last id served.
export interface PageInput {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export function cursorCondition(idColumn: AnyColumn, cursor: string | undefined): SQL | undefined {
  return cursor ? lt(idColumn, cursor) : undefined;
}

export const newestFirst = (idColumn: AnyColumn) => desc(idColumn);

/** Query with `limit + 1`; the extra row only tells whether there is a next page. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? data[data.length - 1]!.id : null };
}
