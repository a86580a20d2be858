import type { Delivery } from '@dispatch/client';
import { deliveryPath, endpointPath, KIND_LABELS } from '../endpoints';
import { ago, time } from '../format';
import { Link } from './link';
import { AnswerBadge, StatusBadge } from './status-badge';

interface Props {
  deliveries: Delivery[];
  showEndpoint?: boolean;
  caption: string;
}

/** Deliveries, newest first; each opens its delivery page (and its endpoint's). */
export function DeliveryTable({ deliveries, showEndpoint = true, caption }: Props) {
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
        {deliveries.map((delivery) => (
          <tr key={delivery.id}>
            <td data-label="Delivery">
              <span>
                <Link to={deliveryPath(delivery.id)}>
                  <code>{delivery.id}</code>
                </Link>
                {delivery.test ? <span class="badge">test</span> : null}
              </span>
            </td>
            <td data-label="Event">{delivery.eventType}</td>
            {showEndpoint ? (
              <td data-label="Endpoint">
                <span class="small muted">{KIND_LABELS[delivery.target.kind]}</span>{' '}
                <Link to={endpointPath(delivery.target.id)}>
                  <code class="small">{delivery.target.id}</code>
                </Link>
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
        ))}
      </tbody>
    </table>
  );
}
