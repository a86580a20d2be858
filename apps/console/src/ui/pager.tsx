import { Link } from './link';

/** Cursor paging, newest first: back to the first page, or on to the next cursor. */
export function Pager({ path, query, nextCursor }: { path: string; query: URLSearchParams; nextCursor: string | null }) {
  const at = (cursor: string | null) => {
    const next = new URLSearchParams(query);
    if (cursor) next.set('cursor', cursor);
    else next.delete('cursor');
    const text = next.toString();
    return text ? `${path}?${text}` : path;
  };
  if (!query.get('cursor') && !nextCursor) return null;
  return (
    <nav class="row pager" aria-label="Pages">
      {query.get('cursor') ? <Link to={at(null)}>← Newest</Link> : null}
      {nextCursor ? <Link to={at(nextCursor)}>Older →</Link> : null}
    </nav>
  );
}
