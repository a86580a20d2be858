import { describe, expect, it } from '@jest/globals';
import { endpointReceives, type FanoutCandidate, type FanoutEvent } from './fanout.js';

function event(type: string, linkId: string | null, data: unknown = {}): FanoutEvent {
  return { type, linkId, envelope: { id: 'evt_1', type, timestamp: '2024-05-01T12:00:00.000Z', data } };
}

const workspace = (eventTypes: string[]): FanoutCandidate => ({ kind: 'workspace_webhook', linkId: null, eventTypes, filter: null });
const link = (linkId: string, eventTypes: string[]): FanoutCandidate => ({ kind: 'link_webhook', linkId, eventTypes, filter: null });
const outbound = (eventTypes: string[], filter: unknown): FanoutCandidate => ({ kind: 'outbound_webhook', linkId: null, eventTypes, filter });

describe('endpointReceives', () => {
  describe('workspace webhook', () => {
    it('receives an event whose type is among its triggers', () => {
      expect(endpointReceives(workspace(['lead.created', 'sale.created']), event('sale.created', null))).toBe(true);
    });

    it('receives a link event as well, whatever the link', () => {
      expect(endpointReceives(workspace(['link.clicked']), event('link.clicked', 'link_a'))).toBe(true);
    });

    it('does not receive a type outside its triggers', () => {
      expect(endpointReceives(workspace(['lead.created']), event('sale.created', null))).toBe(false);
      expect(endpointReceives(workspace([]), event('sale.created', null))).toBe(false);
    });
  });

  describe('link webhook', () => {
    it('receives a triggered event of its own link', () => {
      expect(endpointReceives(link('link_a', ['link.clicked']), event('link.clicked', 'link_a'))).toBe(true);
    });

    it('does not receive an event of another link', () => {
      expect(endpointReceives(link('link_a', ['link.clicked']), event('link.clicked', 'link_b'))).toBe(false);
    });

    it('does not receive an event without a link', () => {
      expect(endpointReceives(link('link_a', ['link.clicked']), event('link.clicked', null))).toBe(false);
    });

    it('does not receive an event of its link that it does not trigger on', () => {
      expect(endpointReceives(link('link_a', ['lead.created']), event('link.clicked', 'link_a'))).toBe(false);
    });
  });

  describe('outbound webhook', () => {
    const sale = event('sale.created', null, { sale: { amount: 4200, currency: 'usd' } });

    it('receives a subscribed event whose payload matches its filter', () => {
      expect(endpointReceives(outbound(['sale.created'], { 'data.sale.amount': { $gte: 1000 } }), sale)).toBe(true);
    });

    it('does not receive a subscribed event whose payload does not match', () => {
      expect(endpointReceives(outbound(['sale.created'], { 'data.sale.currency': 'eur' }), sale)).toBe(false);
    });

    it('receives every subscribed event when the filter is null', () => {
      expect(endpointReceives(outbound(['sale.created'], null), sale)).toBe(true);
    });

    it('does not receive an unsubscribed event, even with a matching filter', () => {
      expect(endpointReceives(outbound(['lead.created'], null), sale)).toBe(false);
      expect(endpointReceives(outbound(['lead.created'], { type: 'sale.created' }), sale)).toBe(false);
    });

    it('filters on the envelope, not only on data', () => {
      expect(endpointReceives(outbound(['sale.created', 'lead.created'], { type: 'sale.created' }), sale)).toBe(true);
      expect(endpointReceives(outbound(['sale.created', 'lead.created'], { type: 'lead.created' }), sale)).toBe(false);
    });

    it('ignores the link: an outbound webhook is workspace-wide', () => {
      expect(endpointReceives(outbound(['link.clicked'], null), event('link.clicked', 'link_a'))).toBe(true);
    });
  });
});
