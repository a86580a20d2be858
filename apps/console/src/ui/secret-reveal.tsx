import { time } from '../format';
import { CopyButton } from './copy-button';

/** A new signing secret, shown once: it lives only in this component's state, never stored. */
export function SecretReveal({ secret, previousExpiresAt, onDismiss }: { secret: string; previousExpiresAt: string | null; onDismiss: () => void }) {
  return (
    <section class="panel notice" aria-labelledby="secret-title">
      <h2 id="secret-title">New signing secret</h2>
      <p>
        Shown once: copy it to the receiver now. {previousExpiresAt ? `The previous secret keeps signing (a second signature) until ${time(previousExpiresAt)}.` : 'The previous secret no longer signs.'}
      </p>
      <p class="row">
        <code class="secret" data-testid="new-secret">
          {secret}
        </code>
        <CopyButton text={secret} label="Copy the new secret" />
      </p>
      <button type="button" onClick={onDismiss}>
        I have copied it
      </button>
    </section>
  );
}
