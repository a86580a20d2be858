import { time } from '../../format';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { CodeView } from '../../ui/code-view';
import { DeliveryTable } from '../../ui/delivery-table';
import { Empty, Show } from '../../ui/states';

/** One event: its exact envelope and every delivery it fanned out to. */
export function EventPage({ eventId }: { eventId: string }) {
  const { client } = useSession();
  const [loaded, reload] = useLoad(() => client.events.get({ params: { eventId } }), [client, eventId]);
  return (
    <Show loaded={loaded} what="the event">
      {(event) => (
        <>
          <header class="page-head">
            <div>
              <p class="small muted">Event</p>
              <h1>
                <code>{event.id}</code> {event.test ? <span class="badge">test</span> : null}
              </h1>
              <p>
                {event.type} · {time(event.createdAt)}
                {event.linkId ? (
                  <>
                    {' '}
                    · link <code>{event.linkId}</code>
                  </>
                ) : null}
              </p>
            </div>
            <button type="button" onClick={reload}>
              Refresh
            </button>
          </header>
          <CodeView text={event.payload} label="Envelope" note="the exact bytes receivers get" />
          <section aria-labelledby="event-deliveries">
            <h2 id="event-deliveries">Deliveries</h2>
            {event.deliveries.length === 0 ? (
              <Empty>No endpoint was subscribed to {event.type} when it was emitted.</Empty>
            ) : (
              <DeliveryTable deliveries={event.deliveries} caption={`Deliveries of ${event.id}`} />
            )}
          </section>
        </>
      )}
    </Show>
  );
}
