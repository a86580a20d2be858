import type { DispatchClient } from '@dispatch/client';
import { endpointCalls } from '../../endpoints';

/**
 * The endpoint (its kind, link and 24 h summary come with it) and its deliveries, filtered by the
 * page's query; then, by its kind's own routes, what it subscribes to and its stats.
 */
export async function loadEndpoint(client: DispatchClient, endpointId: string, query: URLSearchParams) {
  const status = query.get('status');
  const cursor = query.get('cursor');
  const [summary, deliveries] = await Promise.all([
    client.endpoints.get({ params: { endpointId } }),
    client.deliveries.list({ query: { targetId: endpointId, ...(status ? { status: status as never } : {}), ...(cursor ? { cursor } : {}) } }),
  ]);
  const calls = endpointCalls(client, summary);
  const [details, stats] = await Promise.all([calls.get(), calls.stats()]);
  return { summary, details, calls, deliveries, stats };
}
