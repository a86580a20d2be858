import type { Delivery } from '@dispatch/client';
import { deliveryPath, KIND_LABELS, type EndpointRef } from '../endpoints';
import { ago, time } from '../format';
import { Link } from './link';
import { AnswerBadge, StatusBadge } from './status-badge';

interface Props {
  deliveries: Delivery[];
  /** Link webhooks' links, when the page knows them (an endpoint's or an event's page). */
  linkId?: string | null;
  showEndpoint?: boolean;
  caption: string;
}

/** Deliveries, newest first; each opens its delivery page. */
export function DeliveryTable({ deliveries, linkId, showEndpoint = true, caption }: Props) {
  return (
    <table class="rows">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Delivery</th>
          <th scope="col">Event</th>
          {showEndpoint ? <th scope="col">Endpoint</th> : null}
          <th scope="col">Status</th>
          <th scope="col">Last answer</th>
          <th scope="col">Attempts</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => {
          const ref: EndpointRef = { ...delivery.target, linkId };
          return (
            <tr key={delivery.id}>
              <td data-label="Delivery">
                <span>
                  <Link to={deliveryPath(ref, delivery)}>
                    <code>{delivery.id}</code>
                  </Link>
                  {delivery.test ? <span class="badge">test</span> : null}
                </span>
              </td>
              <td data-label="Event">{delivery.eventType}</td>
              {showEndpoint ? (
                <td data-label="Endpoint">
                  <span class="small muted">{KIND_LABELS[delivery.target.kind]}</span> <code class="small">{delivery.target.id}</code>
                </td>
              ) : null}
              <td data-label="Status">
                <StatusBadge status={delivery.status} />
                {delivery.nextAttemptAt ? <span class="small muted"> next {ago(delivery.nextAttemptAt)}</span> : null}
              </td>
              <td data-label="Last answer">
                {delivery.lastAttempt ? <AnswerBadge statusCode={delivery.lastAttempt.statusCode} error={delivery.lastAttempt.error} /> : <span class="muted">none yet</span>}
              </td>
              <td data-label="Attempts">{delivery.attemptCount}</td>
              <td data-label="Created" title={delivery.createdAt}>
                {time(delivery.createdAt)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
