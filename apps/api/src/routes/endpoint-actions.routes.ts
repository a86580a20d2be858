import type { api } from '@dispatch/core/api';
import type { EndpointScope } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { requireKey, type Principal } from '../http/auth.js';
import { implement } from '../http/route.js';
import { getDeliveryDetail, listDeliveries } from '../services/deliveries.service.js';
import { endpointStats } from '../services/endpoint-stats.service.js';
import { rotateSecret } from '../services/endpoints.service.js';
import { getReplay, redeliver, startEndpointReplay } from '../services/manual-attempts.service.js';
import { sendTestDelivery } from '../services/test-delivery.service.js';

// The operations every kind of endpoint shares (test, rotate-secret, deliveries, redeliver, replay,
// stats), implemented once for the three kinds' contracts: only the scope (which endpoints the caller
// may reach: for link webhooks, those of a link of theirs) differs. `enable` answers with the
// endpoint in its kind's shape, so each kind implements it beside its other routes.

type Actions = Pick<typeof api.webhooks, 'test' | 'rotateSecret' | 'deliveries' | 'delivery' | 'redeliver' | 'replay' | 'stats' | 'replayStatus'>;
type Params = Record<string, string>;

export interface EndpointKindActions {
  scope: (deps: ApiDeps, principal: Principal, params: Params) => Promise<EndpointScope>;
  endpointId: (params: Params) => string;
}

/**
 * `contracts` are one kind's action routes; their inputs and answers are the same for every kind
 * (endpoint-actions.contract.ts), so they are implemented against the workspace webhooks' types.
 */
export function endpointActionRoutes(contracts: Actions | typeof api.linkWebhooks | typeof api.outbound, kind: EndpointKindActions) {
  const c = contracts as unknown as Actions;
  const at = async (deps: ApiDeps, principal: Principal, params: Params) => ({ scope: await kind.scope(deps, principal, params), id: kind.endpointId(params) });
  return [
    implement(c.test, async ({ deps, principal, params, body }) => {
      const { scope, id } = await at(deps, principal, params);
      return sendTestDelivery(deps, scope, id, body.event, requireKey(principal).keyId);
    }),
    implement(c.rotateSecret, async ({ deps, principal, params, body }) => {
      const { scope, id } = await at(deps, principal, params);
      return rotateSecret(deps, scope, id, body.graceSeconds);
    }),
    implement(c.deliveries, async ({ deps, principal, params, query }) => {
      const { scope, id } = await at(deps, principal, params);
      return listDeliveries(deps, scope, id, { status: query.status, eventType: query.event, since: query.since, until: query.until }, query);
    }),
    implement(c.delivery, async ({ deps, principal, params }) => {
      const { scope, id } = await at(deps, principal, params);
      return getDeliveryDetail(deps, scope, id, params.deliveryId);
    }),
    implement(c.redeliver, async ({ deps, principal, params }) => {
      const { scope, id } = await at(deps, principal, params);
      return redeliver(deps, scope, id, params.deliveryId);
    }),
    implement(c.replay, async ({ deps, principal, params, body }) => {
      const { scope, id } = await at(deps, principal, params);
      return startEndpointReplay(deps, scope, id, body);
    }),
    implement(c.stats, async ({ deps, principal, params, query }) => {
      const { scope, id } = await at(deps, principal, params);
      return endpointStats(deps, scope, id, query.window);
    }),
    implement(c.replayStatus, async ({ deps, principal, params }) => {
      const { scope, id } = await at(deps, principal, params);
      return getReplay(deps, scope, id, params.replayId);
    }),
  ];
}
