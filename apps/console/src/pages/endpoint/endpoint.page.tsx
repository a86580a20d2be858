import { DELIVERY_VIEW_STATUSES } from '@dispatch/client';
import { endpointPath, KIND_LABELS, subscribedEvents } from '../../endpoints';
import { time } from '../../format';
import { navigate, withQuery, type Location } from '../../router';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { DeliveryTable } from '../../ui/delivery-table';
import { Pager } from '../../ui/pager';
import { ReplayPanel } from '../../ui/replay-panel';
import { Empty, Show } from '../../ui/states';
import { EndpointActions } from './endpoint-actions';
import { loadEndpoint } from './endpoint.data';
import { StatsPanel } from './stats-panel';

export function EndpointPage({ id, where }: { id: string; where: Location }) {
  const { client } = useSession();
  const search = where.query.toString();
  const [loaded, reload] = useLoad(() => loadEndpoint(client, id, where.query), [client, id, search]);
  const path = endpointPath(id);
  const status = where.query.get('status');
  return (
    <Show loaded={loaded} what="the endpoint">
      {({ summary, details, calls, deliveries, stats }) => {
        const named = `${summary.name ?? id} (${summary.url})`;
        const events = subscribedEvents(details);
        return (
          <>
            <header class="page-head">
              <div>
                <p class="small muted">{KIND_LABELS[summary.kind]}</p>
                <h1>{summary.name ?? id}</h1>
                <p class="url">{summary.url}</p>
              </div>
              <button type="button" onClick={reload}>
                Refresh
              </button>
            </header>
            {summary.disabledAt ? (
              <p class="error" role="status">
                Disabled since {time(summary.disabledAt)}: <strong>{summary.disabledReason ?? 'by hand'}</strong>. New events are not queued for it until it is enabled.
              </p>
            ) : null}
            <dl class="facts">
              <div>
                <dt>Id</dt>
                <dd>
                  <code>{id}</code>
                </dd>
              </div>
              {summary.linkId ? (
                <div>
                  <dt>Link</dt>
                  <dd>
                    <code>{summary.linkId}</code>
                  </dd>
                </div>
              ) : null}
              <div>
                <dt>Events</dt>
                <dd>{events.join(', ')}</dd>
              </div>
              <div>
                <dt>Secret</dt>
                <dd>
                  <code class="masked-secret">{details.secret}</code>
                </dd>
              </div>
            </dl>
            <StatsPanel stats={stats} />
            <EndpointActions firstEvent={events[0]} off={Boolean(summary.disabledAt) || !summary.enabled} calls={calls} named={named} onChanged={reload} />
            <ReplayPanel
              target={`to ${named}`}
              start={async (request) => {
                const answer = await calls.replay(request);
                return { id: answer.replayId, count: answer.count };
              }}
              progress={calls.replayStatus}
              onFinished={reload}
            />
            <section aria-labelledby="deliveries-title">
              <div class="page-head">
                <h2 id="deliveries-title">Deliveries</h2>
                <label class="inline">
                  Status
                  <select value={status ?? ''} onChange={(e) => navigate(withQuery(path, { status: e.currentTarget.value }))}>
                    <option value="">any</option>
                    {DELIVERY_VIEW_STATUSES.map((s) => (
                      <option key={s}>{s}</option>
                    ))}
                  </select>
                </label>
              </div>
              {deliveries.data.length === 0 ? (
                <Empty>No deliveries{status ? ` with status ${status}` : ''}.</Empty>
              ) : (
                <DeliveryTable deliveries={deliveries.data} showEndpoint={false} caption={`Deliveries to ${named}, newest first`} />
              )}
              <Pager path={path} query={where.query} nextCursor={deliveries.nextCursor} />
            </section>
          </>
        );
      }}
    </Show>
  );
}
