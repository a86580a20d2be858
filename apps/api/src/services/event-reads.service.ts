import { notFound } from '@dispatch/core';
import { findEvent, listEventDeliveries, listEvents, type EventFilters, type PageInput } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { eventDetailView, eventSummaryView } from '../views/event.view.js';

export async function getEventDetail(deps: ApiDeps, workspaceId: string, eventId: string) {
  const event = await findEvent(deps.db, workspaceId, eventId);
  if (!event) throw notFound('event');
  return eventDetailView(event, await listEventDeliveries(deps.db, { workspaceId, eventId: event.id }));
}

export async function listEventsPage(deps: ApiDeps, workspaceId: string, filters: EventFilters, page: PageInput) {
  const result = await listEvents(deps.db, { workspaceId, filters, page });
  return { data: result.data.map(eventSummaryView), nextCursor: result.nextCursor };
}
