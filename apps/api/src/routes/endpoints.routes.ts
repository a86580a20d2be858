import { api } from '@dispatch/core/api';
import { workspaceCaller } from '../http/auth.js';
import { implement } from '../http/route.js';
import { getEndpointSummary, listEndpointSummaries } from '../services/endpoint-lists.service.js';

// Endpoints of every kind the key reads, with their 24 h health: the console's overview.

export const endpointRoutes = [
  implement(api.endpoints.list, ({ deps, principal, query }) => {
    const caller = workspaceCaller(principal);
    return listEndpointSummaries(deps, { workspaceId: caller.workspaceId, kinds: caller.readableKinds, kind: query.kind, health: query.status }, query);
  }),
  implement(api.endpoints.get, ({ deps, principal, params }) => getEndpointSummary(deps, workspaceCaller(principal), params.endpointId)),
];
