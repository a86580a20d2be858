// States in words as well as colour, so they read without colour too.

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

export function AnswerBadge({ statusCode, error }: { statusCode: number | null; error: string | null }) {
  if (error) return <span class="badge badge-failed">{error.replace(/_/g, ' ')}</span>;
  if (statusCode === null) return <span class="muted">—</span>;
  const ok = statusCode >= 200 && statusCode < 300;
  return <span class={`badge ${ok ? 'badge-succeeded' : 'badge-failed'}`}>{statusCode}</span>;
}
