import type { AcceptedEvent, CatalogEntry } from '@dispatch/client';
import { useState } from 'preact/hooks';
import { useSession } from '../../session';
import { ConfirmAction } from '../../ui/confirm-action';
import { Link } from '../../ui/link';

/** Emits a real event of this type with the catalog's example data (confirmed first). */
export function SendExample({ entry }: { entry: CatalogEntry }) {
  const { client } = useSession();
  const [linkId, setLinkId] = useState('');
  const [accepted, setAccepted] = useState<AcceptedEvent | null>(null);
  return (
    <div class="row">
      <ConfirmAction
        label={`Send example ${entry.type}`}
        title={`Emit a ${entry.type} event with the example data?`}
        confirmLabel="Emit event"
        run={() => client.emit({ type: entry.type, data: entry.example, ...(linkId.trim() ? { linkId: linkId.trim() } : {}) })}
        onDone={setAccepted}
      >
        <p>It is a real event of this workspace: every enabled endpoint subscribed to {entry.type} receives it.</p>
        <label>
          Link id (optional: link webhooks of that link receive it too)
          <input value={linkId} onInput={(e) => setLinkId(e.currentTarget.value)} placeholder="link_…" />
        </label>
      </ConfirmAction>
      {accepted ? (
        <p role="status" class="small">
          Accepted <Link to={`/events/${accepted.id}`}>{accepted.id}</Link>: {accepted.deliveries} {accepted.deliveries === 1 ? 'delivery' : 'deliveries'}.
        </p>
      ) : null}
    </div>
  );
}
