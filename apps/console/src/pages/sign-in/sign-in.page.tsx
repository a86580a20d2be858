import { DispatchApiError } from '@dispatch/client';
import { useState } from 'preact/hooks';
import { clientFor, type Session } from '../../session';
import { ErrorBox } from '../../ui/error-box';

// The form posts nowhere: even with scripts off, a key never lands in a URL (method=post), and it
// is kept in this tab's session storage only.

/** A key is good when the API does not answer 401 (a 403 is a real key without that scope). */
async function check(session: Session): Promise<void> {
  const client = clientFor(session);
  const ignoreAllBut401 = (error: unknown) => {
    if (error instanceof DispatchApiError && error.status !== 401) return;
    throw error;
  };
  if (session.apiKey) await client.webhooks.list({ query: { limit: 1 } }).catch(ignoreAllBut401);
  if (session.adminToken) await client.admin.listWorkspaces({ query: { limit: 1 } }).catch(ignoreAllBut401);
}

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [adminToken, setAdminToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const session: Session = { apiKey: apiKey.trim() || undefined, adminToken: adminToken.trim() || undefined };
    if (!session.apiKey && !session.adminToken) return setError(new Error('Give a workspace API key, the admin token, or both.'));
    setBusy(true);
    setError(null);
    try {
      await check(session);
      onSignedIn(session);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Dispatch console</h1>
      <form method="post" onSubmit={submit} class="panel">
        <label>
          Workspace API key
          <input type="password" name="apiKey" autocomplete="off" spellcheck={false} placeholder="dsp_…" value={apiKey} onInput={(e) => setApiKey(e.currentTarget.value)} />
        </label>
        <label>
          Admin token (for the views across workspaces)
          <input type="password" name="adminToken" autocomplete="off" spellcheck={false} value={adminToken} onInput={(e) => setAdminToken(e.currentTarget.value)} />
        </label>
        <p class="small muted">Kept in this tab's session storage only, until you sign out or close the tab.</p>
        {error ? <ErrorBox error={error} what="sign in" /> : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
