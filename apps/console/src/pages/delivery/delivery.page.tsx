import { endpointPath, KIND_LABELS } from '../../endpoints';
import { ago, time } from '../../format';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { CodeView } from '../../ui/code-view';
import { ConfirmAction } from '../../ui/confirm-action';
import { Link } from '../../ui/link';
import { Show } from '../../ui/states';
import { StatusBadge } from '../../ui/status-badge';
import { AttemptTimeline } from './attempt-timeline';
import { loadDelivery } from './delivery.data';

export function DeliveryPage({ deliveryId }: { deliveryId: string }) {
  const { client } = useSession();
  const [loaded, reload] = useLoad(() => loadDelivery(client, deliveryId), [client, deliveryId]);
  return (
    <Show loaded={loaded} what="the delivery">
      {({ endpoint, delivery }) => (
        <>
          <header class="page-head">
            <div>
              <p class="small muted">Delivery</p>
              <h1>
                <code>{delivery.id}</code> <StatusBadge status={delivery.status} />
                {delivery.test ? <span class="badge">test</span> : null}
              </h1>
            </div>
            <div class="row">
              <button type="button" onClick={reload}>
                Refresh
              </button>
              <ConfirmAction
                label="Redeliver"
                title={`Redeliver ${delivery.id} to ${endpoint.name ?? endpoint.id} (${endpoint.url})?`}
                confirmLabel="Redeliver now"
                run={() => client.deliveries.redeliver({ params: { deliveryId: delivery.id }, body: {} })}
                onDone={reload}
              >
                <p>One new attempt of the same message is queued now: same webhook-id, fresh timestamp and signature. It does not cost the delivery's automatic schedule.</p>
              </ConfirmAction>
            </div>
          </header>
          <dl class="facts">
            <div>
              <dt>Event</dt>
              <dd>
                {delivery.eventType}
                <br />
                <Link to={`/events/${delivery.eventId}`}>
                  <code class="small">{delivery.eventId}</code>
                </Link>
              </dd>
            </div>
            <div>
              <dt>Endpoint</dt>
              <dd>
                <Link to={endpointPath(endpoint.id)}>{endpoint.name ?? endpoint.id}</Link> <span class="small muted">{KIND_LABELS[endpoint.kind]}</span>
                <br />
                <span class="url small">{endpoint.url}</span>
              </dd>
            </div>
            <div>
              <dt>Attempts</dt>
              <dd>
                {delivery.attemptCount}
                {delivery.nextAttemptAt ? ` · next ${ago(delivery.nextAttemptAt)} (${time(delivery.nextAttemptAt)})` : ''}
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{time(delivery.createdAt)}</dd>
            </div>
          </dl>
          {/* What the receiver answered comes first: it is what on-call opens a delivery to read. */}
          <section aria-labelledby="attempts-title">
            <h2 id="attempts-title">Attempts</h2>
            <AttemptTimeline attempts={delivery.attempts} />
          </section>
          <section aria-labelledby="payload-title">
            <h2 id="payload-title">Signed payload</h2>
            <CodeView text={delivery.payload} label="Payload" note="the exact bytes that were signed" />
          </section>
        </>
      )}
    </Show>
  );
}
