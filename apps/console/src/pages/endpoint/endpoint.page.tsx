import { DELIVERY_VIEW_STATUSES, type EndpointKind } from '@dispatch/client';
import { endpointCalls, endpointPath, KIND_LABELS, type EndpointRef } from '../../endpoints';
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

export function EndpointPage({ kind, id, where }: { kind: EndpointKind; id: string; where: Location }) {
  const { client } = useSession();
  const ref: EndpointRef = { kind, id, linkId: where.query.get('link') };
  const calls = endpointCalls(client, ref);
  const search = where.query.toString();
  const [loaded, reload] = useLoad(() => loadEndpoint(client, ref, where.query), [client, kind, id, search]);
  const path = endpointPath(ref);
  const filterBy = (status: string) => navigate(withQuery(path.split('?')[0]!, { link: ref.linkId, status }));
  return (
    <Show loaded={loaded} what="the endpoint">
      {({ endpoint, deliveries, stats }) => {
        const named = `${endpoint.name ?? id} (${endpoint.url})`;
        return (
          <>
            <header class="page-head">
              <div>
                <p class="small muted">{KIND_LABELS[kind]}</p>
                <h1>{endpoint.name ?? id}</h1>
                <p class="url">{endpoint.url}</p>
              </div>
              <button type="button" onClick={reload}>
                Refresh
              </button>
            </header>
            {endpoint.disabledAt ? (
              <p class="error" role="status">
                Disabled since {time(endpoint.disabledAt)}: <strong>{endpoint.disabledReason ?? 'by hand'}</strong>. New events are not queued for it until it is enabled.
              </p>
            ) : null}
            <dl class="facts">
              <div>
                <dt>Id</dt>
                <dd>
                  <code>{id}</code>
                </dd>
              </div>
              <div>
                <dt>Events</dt>
                <dd>{endpoint.events.join(', ')}</dd>
              </div>
              <div>
                <dt>Secret</dt>
                <dd>
                  <code class="masked-secret">{endpoint.secret}</code>
                </dd>
              </div>
            </dl>
            <StatsPanel stats={stats} />
            <EndpointActions endpoint={endpoint} calls={calls} named={named} onChanged={reload} />
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
                  <select value={where.query.get('status') ?? ''} onChange={(e) => filterBy(e.currentTarget.value)}>
                    <option value="">any</option>
                    {DELIVERY_VIEW_STATUSES.map((s) => (
                      <option key={s}>{s}</option>
                    ))}
                  </select>
                </label>
              </div>
              {deliveries.data.length === 0 ? (
                <Empty>No deliveries{where.query.get('status') ? ` with status ${where.query.get('status')}` : ''}.</Empty>
              ) : (
                <DeliveryTable deliveries={deliveries.data} linkId={ref.linkId} showEndpoint={false} caption={`Deliveries to ${named}, newest first`} />
              )}
              <Pager path={path.split('?')[0]!} query={where.query} nextCursor={deliveries.nextCursor} />
            </section>
          </>
        );
      }}
    </Show>
  );
}
