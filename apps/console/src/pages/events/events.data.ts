import type { DispatchClient } from '@dispatch/client';

export const EVENT_FILTERS = ['type', 'linkId', 'since', 'until'] as const;

/** The workspace's events, newest first, filtered by the page's query. */
export function loadEvents(client: DispatchClient, query: URLSearchParams) {
  const filters: Record<string, string> = {};
  for (const name of [...EVENT_FILTERS, 'cursor']) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  return client.events.list({ query: filters as never });
}
