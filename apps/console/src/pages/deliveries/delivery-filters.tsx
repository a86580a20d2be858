import { DELIVERY_VIEW_STATUSES, ENDPOINT_KINDS, workspaceDeliveryFilters } from '@dispatch/client';
import { KIND_LABELS } from '../../endpoints';
import { fromLocalInput, toLocalInput } from '../../format';
import { FILTER_NAMES } from './deliveries.data';

// The types the filter accepts are the catalog's: read from the contract's own filter schema.
const EVENT_TYPES = workspaceDeliveryFilters.eventType.unwrap().options;

const asLocal = (iso: string | null) => (iso ? toLocalInput(new Date(iso)) : '');

/** The filter form; applying it starts again at the newest page. */
export function DeliveryFilters({ query, onApply }: { query: URLSearchParams; onApply: (values: Record<string, string>) => void }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const values: Record<string, string> = {};
    for (const name of FILTER_NAMES) {
      const raw = String(form.get(name) ?? '').trim();
      const value = name === 'since' || name === 'until' ? (fromLocalInput(raw) ?? '') : raw;
      if (value) values[name] = value;
    }
    onApply(values);
  };
  return (
    <form class="panel filters" onSubmit={submit} aria-label="Filter deliveries" key={query.toString()}>
      <div class="fields">
        <label>
          Status
          <select name="status" value={query.get('status') ?? ''}>
            <option value="">any</option>
            {DELIVERY_VIEW_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select name="targetKind" value={query.get('targetKind') ?? ''}>
            <option value="">any</option>
            {ENDPOINT_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Endpoint id
          <input name="targetId" value={query.get('targetId') ?? ''} placeholder="wh_…, lwh_…, obw_…" />
        </label>
        <label>
          Event type
          <select name="eventType" value={query.get('eventType') ?? ''}>
            <option value="">any</option>
            {EVENT_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Status code
          <input name="statusCode" value={query.get('statusCode') ?? ''} placeholder="500 or 5xx" inputMode="numeric" />
        </label>
        <label>
          Since
          <input type="datetime-local" name="since" value={asLocal(query.get('since'))} />
        </label>
        <label>
          Until
          <input type="datetime-local" name="until" value={asLocal(query.get('until'))} />
        </label>
        <label>
          Event id
          <input type="search" name="eventId" value={query.get('eventId') ?? ''} placeholder="evt_…" />
        </label>
      </div>
      <div class="row">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => onApply({})}>
          Clear
        </button>
      </div>
    </form>
  );
}
