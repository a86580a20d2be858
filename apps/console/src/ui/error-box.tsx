import { DispatchApiError } from '@dispatch/client';

// The API's error as it came: its message unchanged, then its status, code, request id (to find
// the log line) and field details.

export function ErrorBox({ error, what }: { error: unknown; what?: string }) {
  const api = error instanceof DispatchApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error" role="alert">
      <p>
        {what ? <strong>Could not {what}: </strong> : null}
        <span class="error-message">{message}</span>
      </p>
      {api ? (
        <p class="muted small">
          HTTP {api.status} · <code>{api.code}</code>
          {api.requestId ? (
            <>
              {' '}
              · request <code>{api.requestId}</code>
            </>
          ) : null}
        </p>
      ) : null}
      {api && api.details.length > 0 ? (
        <ul class="small">
          {api.details.map((detail) => (
            <li key={detail.path}>
              <code>{detail.path}</code>: {detail.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
