import type { DispatchClient } from '@dispatch/client';
import { endpointCalls, endpointView, type EndpointRef } from '../../endpoints';
import { settle } from '../../use-load';

/**
 * The endpoint, its deliveries (filtered by the page's query) and its 24 h stats. The stats are a
 * part of their own: the page still works where the stats route answers an error.
 */
export async function loadEndpoint(client: DispatchClient, ref: EndpointRef, query: URLSearchParams) {
  const calls = endpointCalls(client, ref);
  const status = query.get('status');
  const cursor = query.get('cursor');
  const [endpoint, deliveries, stats] = await Promise.all([
    calls.get(),
    calls.deliveries({ query: { ...(status ? { status: status as never } : {}), ...(cursor ? { cursor } : {}) } }),
    settle(calls.stats()),
  ]);
  return { endpoint: endpointView(endpoint as unknown as Record<string, unknown>), deliveries, stats };
}
