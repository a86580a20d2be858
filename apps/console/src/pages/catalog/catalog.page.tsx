import { useSession } from '../../session';
import { useLoad } from '../../use-load';
import { CodeView } from '../../ui/code-view';
import { Show } from '../../ui/states';
import { SendExample } from './send-example';

/** The event catalog: each type's JSON Schema and example, and a way to send the example. */
export function CatalogPage() {
  const { client } = useSession();
  const [loaded] = useLoad(() => client.outbound.catalog(), [client]);
  return (
    <>
      <header class="page-head">
        <h1>Event catalog</h1>
      </header>
      <Show loaded={loaded} what="the event catalog">
        {(catalog) => (
          <div class="catalog">
            {catalog.data.map((entry) => (
              <details key={entry.type} class="panel">
                <summary>
                  <strong>{entry.type}</strong> <span class="small muted">{entry.category}</span> — {entry.description}
                </summary>
                <SendExample entry={entry} />
                <CodeView text={JSON.stringify(entry.example, null, 2)} label={`Example of ${entry.type}`} />
                <CodeView text={JSON.stringify(entry.schema, null, 2)} label={`JSON Schema of ${entry.type}`} />
              </details>
            ))}
          </div>
        )}
      </Show>
    </>
  );
}
