import { workspaceDeliveryFilters } from '@dispatch/client';
import { time } from '../../format';
import { navigate, withQuery, type Location } from '../../router';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { Link } from '../../ui/link';
import { Pager } from '../../ui/pager';
import { Empty, Show } from '../../ui/states';
import { loadEvents } from './events.data';

const EVENT_TYPES = workspaceDeliveryFilters.eventType.unwrap().options;

export function EventsPage({ where }: { where: Location }) {
  const { client } = useSession();
  const search = where.query.toString();
  const [loaded, reload] = useLoad(() => loadEvents(client, where.query), [client, search]);
  const type = where.query.get('type') ?? '';
  return (
    <>
      <header class="page-head">
        <h1>Events</h1>
        <div class="row">
          <label class="inline">
            Type
            <select value={type} onChange={(e) => navigate(withQuery('/events', { type: e.currentTarget.value }))}>
              <option value="">any</option>
              {EVENT_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <Link to="/catalog">Event catalog</Link>
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </div>
      </header>
      <OpenEvent />
      <Show loaded={loaded} what="events">
        {(page) =>
          page.data.length === 0 ? (
            <Empty>No events{type ? ` of type ${type}` : ''} yet.</Empty>
          ) : (
            <>
              <table class="rows">
                <caption class="visually-hidden">Events, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Type</th>
                    <th scope="col">Link</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((event) => (
                    <tr key={event.id}>
                      <td data-label="Event">
                        <span>
                          <Link to={`/events/${event.id}`}>
                            <code>{event.id}</code>
                          </Link>
                          {event.test ? <span class="badge">test</span> : null}
                        </span>
                      </td>
                      <td data-label="Type">{event.type}</td>
                      <td data-label="Link">{event.linkId ? <code>{event.linkId}</code> : '—'}</td>
                      <td data-label="Created">{time(event.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager path="/events" query={where.query} nextCursor={page.nextCursor} />
            </>
          )
        }
      </Show>
    </>
  );
}

/** Straight to an event by its id (what a receiver's log or a customer's ticket gives). */
function OpenEvent() {
  const submit = (event: Event) => {
    event.preventDefault();
    const id = String(new FormData(event.currentTarget as HTMLFormElement).get('eventId') ?? '').trim();
    if (id) navigate(`/events/${encodeURIComponent(id)}`);
  };
  return (
    <form class="row panel" onSubmit={submit} role="search">
      <label class="inline grow">
        Event id
        <input type="search" name="eventId" placeholder="evt_…" required />
      </label>
      <button type="submit">Open</button>
    </form>
  );
}
