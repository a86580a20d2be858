import type { DispatchClient } from '../index.js';

// The CLI takes an endpoint by its id alone; the API's routes differ per kind (a link webhook's path
// names its link), so the id is first resolved to its kind and path parameters.

export type EndpointRef =
  | { group: 'webhooks'; params: { id: string } }
  | { group: 'outbound'; params: { id: string } }
  | { group: 'linkWebhooks'; params: { linkId: string; webhookId: string } };

export async function resolveEndpoint(client: DispatchClient, endpointId: string): Promise<EndpointRef> {
  const endpoint = await client.endpoints.get({ params: { endpointId } });
  if (endpoint.kind === 'link_webhook') return { group: 'linkWebhooks', params: { linkId: endpoint.linkId ?? '', webhookId: endpoint.id } };
  return { group: endpoint.kind === 'outbound_webhook' ? 'outbound' : 'webhooks', params: { id: endpoint.id } };
}

/** The same operation of whichever kind the endpoint is (their shapes are the same). */
export function actionsOf(client: DispatchClient, ref: EndpointRef) {
  // The three groups share these operations' contracts (endpoint-actions.contract.ts); only the path differs.
  return client[ref.group] as unknown as DispatchClient['webhooks'];
}

export const paramsOf = (ref: EndpointRef) => ref.params as unknown as { id: string };
