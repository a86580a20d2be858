import { catalogEntryJson, eventCatalog } from '@dispatch/core';
import { route } from '../http/route.js';

export const catalogRoutes = [
  route({
    method: 'get',
    path: '/integrations/outbound/events',
    access: { scope: 'webhooks:read' },
    handler: async () => ({ data: eventCatalog.map(catalogEntryJson) }),
  }),
];
