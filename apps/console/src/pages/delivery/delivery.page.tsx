import type { EndpointKind } from '@dispatch/client';
import { endpointPath, KIND_LABELS } from '../../endpoints';
import { ago, time } from '../../format';
import type { Location } from '../../router';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { CodeView } from '../../ui/code-view';
import { ConfirmAction } from '../../ui/confirm-action';
import { Link } from '../../ui/link';
import { Show } from '../../ui/states';
import { StatusBadge } from '../../ui/status-badge';
import { AttemptTimeline } from './attempt-timeline';
import { loadDelivery } from './delivery.data';

export function DeliveryPage({ kind, endpointId, deliveryId, where }: { kind: EndpointKind; endpointId: string; deliveryId: string; where: Location }) {
  const { client } = useSession();
  const eventId = where.query.get('event');
  const [loaded, reload] = useLoad(() => loadDelivery(client, { kind, id: endpointId, linkId: where.query.get('link') }, deliveryId, eventId), [client, kind, endpointId, deliveryId]);
  return (
    <Show loaded={loaded} what="the delivery">
      {({ ref, calls, endpoint, delivery }) => (
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
                title={`Redeliver ${delivery.id} to ${endpoint.name ?? endpointId} (${endpoint.url})?`}
                confirmLabel="Redeliver now"
                run={() => calls.redeliver(delivery.id)}
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
                {delivery.eventType} · <Link to={`/events/${delivery.eventId}`}>{delivery.eventId}</Link>
              </dd>
            </div>
            <div>
              <dt>Endpoint</dt>
              <dd>
                <Link to={endpointPath(ref)}>{endpoint.name ?? endpointId}</Link> <span class="small muted">{KIND_LABELS[kind]}</span>
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
          <section aria-labelledby="payload-title">
            <h2 id="payload-title">Signed payload</h2>
            <CodeView text={delivery.payload} label="Payload" note="the exact bytes that were signed" />
          </section>
          <section aria-labelledby="attempts-title">
            <h2 id="attempts-title">Attempts</h2>
            <AttemptTimeline attempts={delivery.attempts} />
          </section>
        </>
      )}
    </Show>
  );
}
