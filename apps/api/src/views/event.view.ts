import type { EventDetail, EventSummary, EventType } from '@dispatch/core/api';
import type { DeliveryRow, EventRow } from '@dispatch/db';
import { deliveryView } from './delivery.view.js';
import { iso } from './time.js';

export function eventSummaryView(row: Pick<EventRow, 'id' | 'type' | 'linkId' | 'test' | 'createdAt'>): EventSummary {
  return { id: row.id, type: row.type as EventType, linkId: row.linkId, test: row.test, createdAt: iso(row.createdAt) };
}

export function eventDetailView(row: EventRow, deliveries: DeliveryRow[]): EventDetail {
  return { ...eventSummaryView(row), payload: row.payload, deliveries: deliveries.map(deliveryView) };
}
