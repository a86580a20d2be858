import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { Link } from '../../ui/link';
import { Empty, Show } from '../../ui/states';
import { loadOverview } from './overview.data';
import { EndpointHealthTable } from './endpoint-health-table';

export function OverviewPage() {
  const { client } = useSession();
  const [loaded, reload] = useLoad(() => loadOverview(client), [client]);
  return (
    <>
      <header class="page-head">
        <h1>Overview</h1>
        <div class="row">
          <Link to="/deliveries?status=failing">Failing deliveries</Link>
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </div>
      </header>
      <Show loaded={loaded} what="endpoints">
        {(page) =>
          page.data.length === 0 ? (
            <Empty>No endpoints in this workspace yet.</Empty>
          ) : (
            <>
              <EndpointHealthTable endpoints={page.data} linked />
              {page.nextCursor ? <p class="small muted">Showing the first {page.data.length} endpoints.</p> : null}
            </>
          )
        }
      </Show>
    </>
  );
}
