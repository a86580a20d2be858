import type { DispatchClient } from '@dispatch/client';

/** The contract's filters of `GET /api/deliveries`, as they appear in the page's query string. */
export const FILTER_NAMES = ['status', 'targetKind', 'targetId', 'eventType', 'statusCode', 'since', 'until', 'eventId'] as const;

export function loadDeliveries(client: DispatchClient, query: URLSearchParams) {
  const filters: Record<string, string> = {};
  for (const name of [...FILTER_NAMES, 'cursor']) {
    const value = query.get(name);
    if (value) filters[name] = value;
  }
  // The API validates the filters and answers a 400 that names the field; the page shows it.
  return client.deliveries.list({ query: filters as never });
}
