import { matchesFilter, type Filter } from './filter.js';

// The contract's fan-out rule, as one pure function: which endpoints an event goes to.

export interface FanoutCandidate {
  kind: 'workspace_webhook' | 'link_webhook' | 'outbound_webhook';
  linkId: string | null;
  eventTypes: readonly string[];
  filter: unknown;
}

export interface FanoutEvent {
  type: string;
  linkId: string | null;
  envelope: { id: string; type: string; timestamp: string; data: unknown };
}

export function endpointReceives(endpoint: FanoutCandidate, event: FanoutEvent): boolean {
  if (!endpoint.eventTypes.includes(event.type)) return false;
  switch (endpoint.kind) {
    case 'workspace_webhook':
      return true;
    case 'link_webhook':
      return event.linkId !== null && endpoint.linkId === event.linkId;
    case 'outbound_webhook':
      return matchesFilter(endpoint.filter as Filter | null, event.envelope);
  }
}
