import { api } from '@dispatch/core/api';
import { workspaceCaller } from '../http/auth.js';
import { implement } from '../http/route.js';
import { listAttemptFeedPage } from '../services/attempt-feed.service.js';
import { getWorkspaceDeliveryDetail, listWorkspaceDeliveriesPage, redeliverById } from '../services/deliveries.service.js';
import { getWorkspaceReplay, startWorkspaceReplay } from '../services/manual-attempts.service.js';

// The on-call views across the workspace: deliveries of every endpoint kind the key reads, one by
// its id alone, a replay across them, and the attempts as they happen.

export const deliveryRoutes = [
  implement(api.deliveries.list, ({ deps, principal, query }) => listWorkspaceDeliveriesPage(deps, workspaceCaller(principal), query, query)),
  implement(api.deliveries.get, ({ deps, principal, params }) => getWorkspaceDeliveryDetail(deps, workspaceCaller(principal), params.deliveryId)),
  implement(api.deliveries.redeliver, ({ deps, principal, params }) => redeliverById(deps, workspaceCaller(principal), params.deliveryId)),
  implement(api.deliveries.replay, ({ deps, principal, body }) => startWorkspaceReplay(deps, workspaceCaller(principal), body)),
  implement(api.deliveries.replayStatus, ({ deps, principal, params }) => getWorkspaceReplay(deps, workspaceCaller(principal).workspaceId, params.replayId)),
  implement(api.deliveries.attempts, ({ deps, principal, query }) => listAttemptFeedPage(deps, workspaceCaller(principal), query)),
];
