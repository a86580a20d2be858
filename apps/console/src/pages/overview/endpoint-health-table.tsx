import type { EndpointSummary } from '@dispatch/client';
import { endpointPath, KIND_LABELS } from '../../endpoints';
import { ago, ms, percent } from '../../format';
import { Link } from '../../ui/link';

function State({ endpoint }: { endpoint: EndpointSummary }) {
  if (endpoint.disabledAt) return <span class="badge badge-failed">disabled: {endpoint.disabledReason ?? 'by hand'}</span>;
  if (!endpoint.enabled) return <span class="badge">turned off</span>;
  if (endpoint.stats.breaker === 'open') return <span class="badge badge-failing">paused {endpoint.stats.pausedUntil ? `until ${ago(endpoint.stats.pausedUntil)}` : ''}</span>;
  if (endpoint.stats.failingDeliveries > 0 || endpoint.consecutiveFailures > 0) return <span class="badge badge-failing">failing</span>;
  return <span class="badge badge-succeeded">healthy</span>;
}

/**
 * Endpoints with their 24 h health, in the API's order (failing and disabled first, across pages);
 * links to each endpoint's page when `linked`.
 */
export function EndpointHealthTable({ endpoints, linked, showWorkspace }: { endpoints: EndpointSummary[]; linked: boolean; showWorkspace?: boolean }) {
  return (
    <table class="rows">
      <caption class="visually-hidden">Endpoints and their health over 24 hours, failing first</caption>
      <thead>
        <tr>
          <th scope="col">Endpoint</th>
          {showWorkspace ? <th scope="col">Workspace</th> : null}
          <th scope="col">State</th>
          <th scope="col">Success 24 h</th>
          <th scope="col">p95</th>
          <th scope="col">Failing</th>
          <th scope="col">Breaker</th>
        </tr>
      </thead>
      <tbody>
        {endpoints.map((endpoint) => {
          const name = (
            <>
              <strong>{endpoint.name ?? endpoint.id}</strong> <span class="small muted">{KIND_LABELS[endpoint.kind]}</span>
              <br />
              <span class="small url">{endpoint.url}</span>
            </>
          );
          return (
            <tr key={endpoint.id} class="endpoint-row">
              <td data-label="Endpoint">{linked ? <Link to={endpointPath(endpoint.id)}>{name}</Link> : name}</td>
              {showWorkspace ? (
                <td data-label="Workspace">
                  <code>{endpoint.workspaceId}</code>
                </td>
              ) : null}
              <td data-label="State">
                <State endpoint={endpoint} />
              </td>
              <td data-label="Success 24 h">{percent(endpoint.stats.successRate)}</td>
              <td data-label="p95">{ms(endpoint.stats.p95Ms)}</td>
              <td data-label="Failing">{endpoint.stats.failingDeliveries}</td>
              <td data-label="Breaker">{endpoint.stats.breaker}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
