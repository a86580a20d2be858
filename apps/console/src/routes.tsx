import { ENDPOINT_KINDS, type EndpointKind } from '@dispatch/client';
import type { ComponentChildren } from 'preact';
import type { Location } from './router';
import type { Session } from './session';
import { AdminPage } from './pages/admin/admin.page';
import { CatalogPage } from './pages/catalog/catalog.page';
import { DeliveriesPage } from './pages/deliveries/deliveries.page';
import { DeliveryPage } from './pages/delivery/delivery.page';
import { EndpointPage } from './pages/endpoint/endpoint.page';
import { EventPage } from './pages/event/event.page';
import { EventsPage } from './pages/events/events.page';
import { OverviewPage } from './pages/overview/overview.page';

// The page for a path, and its title. One table, so every page's address is in one place.

export interface Page {
  title: string;
  /** The navigation entry it belongs to. */
  section: string;
  body: ComponentChildren;
}

const isKind = (value: string): value is EndpointKind => (ENDPOINT_KINDS as readonly string[]).includes(value);
const NOT_FOUND: Page = { title: 'Not found', section: '', body: <p class="empty">No page here. Use the navigation above.</p> };

export function pageFor(where: Location, session: Session): Page {
  const parts = where.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third, fourth, fifth] = parts;
  if (!session.apiKey && first !== 'admin') return { title: 'All workspaces', section: 'admin', body: <AdminPage where={where} /> };
  switch (first) {
    case undefined:
      return { title: 'Overview', section: 'overview', body: <OverviewPage /> };
    case 'deliveries':
      return parts.length === 1 ? { title: 'Deliveries', section: 'deliveries', body: <DeliveriesPage where={where} /> } : NOT_FOUND;
    case 'endpoints':
      if (!second || !isKind(second) || !third) return NOT_FOUND;
      if (parts.length === 3) return { title: third, section: 'overview', body: <EndpointPage kind={second} id={third} where={where} /> };
      if (fourth === 'deliveries' && fifth && parts.length === 5) {
        return { title: fifth, section: 'deliveries', body: <DeliveryPage kind={second} endpointId={third} deliveryId={fifth} where={where} /> };
      }
      return NOT_FOUND;
    case 'events':
      if (second) return { title: second, section: 'events', body: <EventPage eventId={second} /> };
      return { title: 'Events', section: 'events', body: <EventsPage where={where} /> };
    case 'catalog':
      return { title: 'Event catalog', section: 'catalog', body: <CatalogPage /> };
    case 'admin':
      return session.adminToken ? { title: 'All workspaces', section: 'admin', body: <AdminPage where={where} /> } : NOT_FOUND;
    default:
      return NOT_FOUND;
  }
}
