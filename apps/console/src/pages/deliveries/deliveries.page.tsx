import { REPLAY_SELECTIONS, type ReplaySelection } from '@dispatch/client';
import { navigate, withQuery, type Location } from '../../router';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { DeliveryTable } from '../../ui/delivery-table';
import { Pager } from '../../ui/pager';
import { ReplayPanel, type ReplayRequest } from '../../ui/replay-panel';
import { Empty, Show } from '../../ui/states';
import { FILTER_NAMES, loadDeliveries } from './deliveries.data';
import { DeliveryFilters } from './delivery-filters';

const asSelection = (status: string | null) => (REPLAY_SELECTIONS as readonly (string | null)[]).includes(status) ? (status as ReplaySelection) : undefined;

/** Every delivery of the workspace, newest first, filtered by the query string. */
export function DeliveriesPage({ where }: { where: Location }) {
  const { client } = useSession();
  const search = where.query.toString();
  const [loaded, reload] = useLoad(() => loadDeliveries(client, where.query), [client, search]);
  const filters = Object.fromEntries(FILTER_NAMES.map((name) => [name, where.query.get(name) ?? undefined]));
  const startReplay = async ({ status, since, until, dryRun }: ReplayRequest) => {
    const answer = await client.deliveries.replay({ body: { ...filters, status, since, until, dryRun } as never });
    return { id: 'id' in answer ? answer.id : null, count: answer.count };
  };
  return (
    <>
      <header class="page-head">
        <h1>Deliveries</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </header>
      <DeliveryFilters query={where.query} onApply={(values) => navigate(withQuery('/deliveries', values))} />
      <Show loaded={loaded} what="deliveries">
        {(page) =>
          page.data.length === 0 ? (
            <Empty>No delivery matches these filters.</Empty>
          ) : (
            <>
              <DeliveryTable deliveries={page.data} caption="Deliveries, newest first" />
              <Pager path="/deliveries" query={where.query} nextCursor={page.nextCursor} />
            </>
          )
        }
      </Show>
      {/* Filtered on failed or failing deliveries, the replay offers those: a new filter, a new replay panel. */}
      <ReplayPanel
        key={where.query.get('status') ?? ''}
        selection={asSelection(where.query.get('status'))}
        target="matching the filters above (with the status and times chosen here)"
        start={startReplay}
        progress={(id) => client.deliveries.replayStatus({ params: { replayId: id } })}
        onFinished={reload}
      />
    </>
  );
}
