import type { DispatchClient, EndpointKind, RouteCalls } from '@dispatch/client';

// The three kinds of endpoint share their operations (the contract declares them once); only the
// path differs. This picks the kind's group of calls and its path parameters, so pages work with
// one `EndpointRef` whatever the kind.

export interface EndpointRef {
  kind: EndpointKind;
  id: string;
  /** Link webhooks live under their link. */
  linkId?: string | null | undefined;
}

export const KIND_LABELS: Record<EndpointKind, string> = {
  workspace_webhook: 'Workspace webhook',
  link_webhook: 'Link webhook',
  outbound_webhook: 'Outbound webhook',
};

/** The shape every kind's group has (the workspace webhooks' types stand for all three). */
type Actions = Pick<RouteCalls['webhooks'], 'get' | 'test' | 'enable' | 'rotateSecret' | 'deliveries' | 'delivery' | 'redeliver' | 'replay' | 'replayStatus' | 'stats'>;
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
    get: () => group.get({ params: p }),
    stats: (input: Input<'stats'> = {}) => group.stats({ params: p, ...input }),
    deliveries: (input: Input<'deliveries'> = {}) => group.deliveries({ params: p, ...input }),
    delivery: (deliveryId: string) => group.delivery({ params: { ...p, deliveryId } }),
    test: () => group.test({ params: p, body: {} }),
    enable: () => group.enable({ params: p, body: {} }),
    rotateSecret: () => group.rotateSecret({ params: p, body: {} }),
    redeliver: (deliveryId: string) => group.redeliver({ params: { ...p, deliveryId }, body: {} }),
    replay: (body: Input<'replay'>['body']) => group.replay({ params: p, body }),
    replayStatus: (replayId: string) => group.replayStatus({ params: { ...p, replayId } }),
  };
}
export type EndpointCalls = ReturnType<typeof endpointCalls>;

/** What every kind shows: outbound webhooks have a description and `events` where webhooks have a name and `triggers`. */
export interface EndpointView {
  name: string | null;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  consecutiveFailures: number | null;
}

export function endpointView(raw: Record<string, unknown>): EndpointView {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    name: text(raw.name) ?? text(raw.description),
    url: String(raw.url),
    events: (raw.triggers ?? raw.events ?? []) as string[],
    secret: String(raw.secret),
    enabled: raw.enabled !== false,
    disabledAt: text(raw.disabledAt),
    disabledReason: text(raw.disabledReason),
    consecutiveFailures: typeof raw.consecutiveFailures === 'number' ? raw.consecutiveFailures : null,
  };
}

/** Where a kind's endpoint page is. */
export function endpointPath(ref: EndpointRef): string {
  const link = ref.kind === 'link_webhook' && ref.linkId ? `?link=${encodeURIComponent(ref.linkId)}` : '';
  return `/endpoints/${ref.kind}/${encodeURIComponent(ref.id)}${link}`;
}

/** Where a delivery's page is (its endpoint is part of the API's path to it). */
export function deliveryPath(ref: EndpointRef, delivery: { id: string; eventId: string }): string {
  const query = new URLSearchParams({ event: delivery.eventId });
  if (ref.kind === 'link_webhook' && ref.linkId) query.set('link', ref.linkId);
  return `/endpoints/${ref.kind}/${encodeURIComponent(ref.id)}/deliveries/${encodeURIComponent(delivery.id)}?${query}`;
}
