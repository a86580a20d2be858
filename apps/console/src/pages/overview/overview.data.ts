import type { DispatchClient } from '@dispatch/client';

/** Every endpoint the key may read, with its 24 h health (the API puts failing ones first). */
export const loadOverview = (client: DispatchClient) => client.endpoints.list({ query: { limit: 100 } });
