import type { Delivery } from '@dispatch/client';
import { useState } from 'preact/hooks';
import type { EndpointCalls } from '../../endpoints';
import { ms } from '../../format';
import { ConfirmAction } from '../../ui/confirm-action';
import { SecretReveal } from '../../ui/secret-reveal';
import { AnswerBadge, StatusBadge } from '../../ui/status-badge';

interface Props {
  /** The event type a test sends (the endpoint's first). */
  firstEvent: string | undefined;
  /** Disabled or turned off: it can be enabled. */
  off: boolean;
  calls: EndpointCalls;
  /** "webhook orders (https://…)": how the dialogs name it. */
  named: string;
  onChanged: () => void;
}

/** Test, enable and rotate-secret, each confirmed first; the test's and the rotation's answers show here. */
export function EndpointActions({ firstEvent = 'its first event type', off, calls, named, onChanged }: Props) {
  const [tested, setTested] = useState<Delivery | null>(null);
  const [rotated, setRotated] = useState<{ secret: string; previousSecretExpiresAt: string | null } | null>(null);
  return (
    <section class="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <div class="row">
        <ConfirmAction
          label="Send test"
          title={`Send a test to ${named}?`}
          confirmLabel="Send test"
          run={async () => (await calls.test()).delivery}
          onDone={(delivery) => {
            setTested(delivery);
            onChanged();
          }}
        >
          <p>
            Sends the example payload of {firstEvent}, marked as a test, even if the endpoint is disabled, and waits up to 10 s for the answer. It does not change the endpoint's failure count.
          </p>
        </ConfirmAction>
        {off ? (
          <ConfirmAction label="Enable" title={`Enable ${named}?`} confirmLabel="Enable" run={calls.enable} onDone={onChanged}>
            <p>New events are queued for it again and its failure count goes back to 0.</p>
          </ConfirmAction>
        ) : null}
        <ConfirmAction label="Rotate secret" title={`Rotate the signing secret of ${named}?`} confirmLabel="Rotate secret" danger run={calls.rotateSecret} onDone={setRotated}>
          <p>A new secret signs every request from now on. The old one keeps signing beside it for 24 hours, so the receiver can switch without a gap. The new secret is shown once.</p>
        </ConfirmAction>
      </div>
      {tested ? <TestAnswer delivery={tested} /> : null}
      {rotated ? <SecretReveal secret={rotated.secret} previousExpiresAt={rotated.previousSecretExpiresAt} onDismiss={() => setRotated(null)} /> : null}
    </section>
  );
}

function TestAnswer({ delivery }: { delivery: Delivery }) {
  const last = delivery.lastAttempt;
  return (
    <div class="test-answer" role="status">
      <p>
        Test <code>{delivery.id}</code>: <StatusBadge status={delivery.status} />{' '}
        {last ? (
          <>
            answered <AnswerBadge statusCode={last.statusCode} error={last.error} /> in {ms(last.responseTimeMs)}
          </>
        ) : (
          'no answer within 10 s yet; it is still being tried'
        )}
      </p>
      {last?.responseBody ? <pre class="small">{last.responseBody}</pre> : null}
    </div>
  );
}
