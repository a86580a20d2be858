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

const NOT_FOUND: Page = {
  title: 'Not found',
  section: '',
  body: (
    <>
      <h1>Not found</h1>
      <p class="empty">No page here. Use the navigation above.</p>
    </>
  ),
};

export function pageFor(where: Location, session: Session): Page {
  const parts = where.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, ...rest] = parts;
  if (!session.apiKey && first !== 'admin') return { title: 'All workspaces', section: 'admin', body: <AdminPage where={where} /> };
  if (rest.length > 0) return NOT_FOUND;
  switch (first) {
    case undefined:
      return { title: 'Overview', section: 'overview', body: <OverviewPage /> };
    case 'deliveries':
      if (second) return { title: second, section: 'deliveries', body: <DeliveryPage deliveryId={second} /> };
      return { title: 'Deliveries', section: 'deliveries', body: <DeliveriesPage where={where} /> };
    case 'endpoints':
      return second ? { title: second, section: 'overview', body: <EndpointPage id={second} where={where} /> } : NOT_FOUND;
    case 'events':
      if (second) return { title: second, section: 'events', body: <EventPage eventId={second} /> };
      return { title: 'Events', section: 'events', body: <EventsPage where={where} /> };
    case 'catalog':
      return second ? NOT_FOUND : { title: 'Event catalog', section: 'catalog', body: <CatalogPage /> };
    case 'admin':
      return session.adminToken ? { title: 'All workspaces', section: 'admin', body: <AdminPage where={where} /> } : NOT_FOUND;
    default:
      return NOT_FOUND;
  }
}
