import type { DispatchClient } from '@dispatch/client';

/** The delivery with its payload and attempts, then the endpoint it goes to (named on the page). */
export async function loadDelivery(client: DispatchClient, deliveryId: string) {
  const delivery = await client.deliveries.get({ params: { deliveryId } });
  const endpoint = await client.endpoints.get({ params: { endpointId: delivery.target.id } });
  return { delivery, endpoint };
}
