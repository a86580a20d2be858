import type { DispatchClient, EndpointKind, LinkWebhook, OutboundWebhook, RouteCalls, WorkspaceWebhook } from '@dispatch/client';

// The three kinds of endpoint share their operations (the contract declares them once); only the
// path differs. This picks the kind's group of calls and its path parameters, so pages work with
// one `EndpointRef` (an `EndpointSummary` is one) whatever the kind.

export interface EndpointRef {
  kind: EndpointKind;
  id: string;
  /** Link webhooks live under their link. */
  linkId: string | null;
}

export const KIND_LABELS: Record<EndpointKind, string> = {
  workspace_webhook: 'Workspace webhook',
  link_webhook: 'Link webhook',
  outbound_webhook: 'Outbound webhook',
};

/** An endpoint as its kind's own route shows it (subscribed events and the masked secret). */
export type EndpointDetails = WorkspaceWebhook | LinkWebhook | OutboundWebhook;

/** The shape every kind's group has (the workspace webhooks' types stand for all three). */
type Actions = Pick<RouteCalls['webhooks'], 'get' | 'test' | 'enable' | 'rotateSecret' | 'replay' | 'replayStatus' | 'stats'>;
type Input<K extends keyof Actions> = Omit<NonNullable<Parameters<Actions[K]>[0]>, 'params'>;

function groupOf(client: DispatchClient, ref: EndpointRef): { group: Actions; params: Record<string, string> } {
  if (ref.kind === 'workspace_webhook') return { group: client.webhooks, params: { id: ref.id } };
  if (ref.kind === 'outbound_webhook') return { group: client.outbound as unknown as Actions, params: { id: ref.id } };
  if (!ref.linkId) throw new Error(`link webhook ${ref.id}: its link is not known`);
  return { group: client.linkWebhooks as unknown as Actions, params: { linkId: ref.linkId, webhookId: ref.id } };
}

export function endpointCalls(client: DispatchClient, ref: EndpointRef) {
  const { group, params } = groupOf(client, ref);
  const p = params as { id: string };
  return {
    get: () => group.get({ params: p }) as Promise<EndpointDetails>,
    stats: (input: Input<'stats'> = {}) => group.stats({ params: p, ...input }),
    test: () => group.test({ params: p, body: {} }),
    enable: () => group.enable({ params: p, body: {} }),
    rotateSecret: () => group.rotateSecret({ params: p, body: {} }),
    replay: (body: Input<'replay'>['body']) => group.replay({ params: p, body }),
    replayStatus: (replayId: string) => group.replayStatus({ params: { ...p, replayId } }),
  };
}
export type EndpointCalls = ReturnType<typeof endpointCalls>;

/** The event types an endpoint receives: webhooks call them triggers, outbound webhooks events. */
export const subscribedEvents = (details: EndpointDetails): string[] => ('triggers' in details ? details.triggers : details.events);

/** The API finds an endpoint and a delivery by their ids alone, whatever the kind. */
export const endpointPath = (id: string) => `/endpoints/${encodeURIComponent(id)}`;
export const deliveryPath = (id: string) => `/deliveries/${encodeURIComponent(id)}`;
