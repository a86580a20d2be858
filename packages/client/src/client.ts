import { api, type AnyRouteContract, type Api, type RequestOf, type ResponseOf } from '@dispatch/core/api';
import { callRoute, type ClientOptions } from './transport.js';

// A typed function per route of the contract, grouped as `api` groups them:
// `client.webhooks.create({ body })`, `client.linkWebhooks.test({ params: { linkId, webhookId } })`.
// Inputs and answers are typed from the same zod schemas the API validates with.

type Call<C> = Partial<RequestOf<C>> extends RequestOf<C> ? (input?: RequestOf<C>) => Promise<ResponseOf<C>> : (input: RequestOf<C>) => Promise<ResponseOf<C>>;
type Group<G> = { [K in keyof G]: Call<G[K]> };
export type RouteCalls = { [G in keyof Api]: Group<Api[G]> };

export function routeCalls(options: ClientOptions): RouteCalls {
  const groups: Record<string, Record<string, unknown>> = {};
  for (const [groupName, group] of Object.entries(api)) {
    groups[groupName] = Object.fromEntries(
      Object.entries(group as Record<string, AnyRouteContract>).map(([name, route]) => [
        name,
        async (input?: Parameters<typeof callRoute>[2]) => (await callRoute(options, route, input)).body,
      ]),
    );
  }
  return groups as RouteCalls;
}
