import type { DispatchClient } from '@dispatch/client';
import { endpointCalls, endpointView, type EndpointRef } from '../../endpoints';

/**
 * The delivery with its payload and attempts, and the endpoint it goes to (the API reaches a
 * delivery through its endpoint). A link webhook's delivery opened from the workspace list does not
 * say its link; its event does (link webhooks receive the events of their link).
 */
export async function loadDelivery(client: DispatchClient, given: EndpointRef, deliveryId: string, eventId: string | null) {
  let ref = given;
  if (ref.kind === 'link_webhook' && !ref.linkId && eventId) {
    ref = { ...ref, linkId: (await client.events.get({ params: { eventId } })).linkId };
  }
  const calls = endpointCalls(client, ref);
  const [endpoint, delivery] = await Promise.all([calls.get(), calls.delivery(deliveryId)]);
  return { ref, calls, endpoint: endpointView(endpoint as unknown as Record<string, unknown>), delivery };
}
