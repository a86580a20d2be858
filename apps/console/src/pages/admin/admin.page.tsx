import { ENDPOINT_HEALTH_FILTERS } from '@dispatch/client';
import { time } from '../../format';
import { navigate, withQuery, type Location } from '../../router';
import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { Empty, Show } from '../../ui/states';
import { EndpointHealthTable } from '../overview/endpoint-health-table';
import { loadAdmin } from './admin.data';

export function AdminPage({ where }: { where: Location }) {
  const { client } = useSession();
  const status = where.query.get('status');
  const [loaded, reload] = useLoad(() => loadAdmin(client, status), [client, status]);
  return (
    <>
      <header class="page-head">
        <h1>All workspaces</h1>
        <div class="row">
          <label class="inline">
            Endpoints
            <select value={status ?? ''} onChange={(e) => navigate(withQuery('/admin', { status: e.currentTarget.value }))}>
              <option value="">all</option>
              {ENDPOINT_HEALTH_FILTERS.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </div>
      </header>
      <Show loaded={loaded} what="the operator views">
        {({ endpoints, workspaces }) => (
          <>
            <section aria-labelledby="admin-endpoints">
              <h2 id="admin-endpoints">Endpoints</h2>
              {endpoints.data.length === 0 ? (
                <Empty>No endpoint{status ? ` is ${status}` : ''}.</Empty>
              ) : (
                <EndpointHealthTable endpoints={endpoints.data} linked={false} showWorkspace />
              )}
            </section>
            <section aria-labelledby="admin-workspaces">
              <h2 id="admin-workspaces">Workspaces</h2>
              {workspaces.data.length === 0 ? (
                <Empty>No workspaces yet.</Empty>
              ) : (
                <table class="rows">
                  <caption class="visually-hidden">Workspaces, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Workspace</th>
                      <th scope="col">Id</th>
                      <th scope="col">Features</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {workspaces.data.map((ws) => (
                      <tr key={ws.id}>
                        <td data-label="Workspace">{ws.name}</td>
                        <td data-label="Id">
                          <code>{ws.id}</code>
                        </td>
                        <td data-label="Features">{ws.features.join(', ') || '—'}</td>
                        <td data-label="Created">{time(ws.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </>
        )}
      </Show>
    </>
  );
}
