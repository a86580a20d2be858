import type { ComponentChildren } from 'preact';
import type { Loaded } from '../use-load';
import { ErrorBox } from './error-box';

export const Loading = ({ what }: { what: string }) => (
  <p class="muted" role="status" aria-live="polite">
    Loading {what}…
  </p>
);

export const Empty = ({ children }: { children: ComponentChildren }) => <p class="empty">{children}</p>;

/** Loading, error or the content, for one loaded value. */
export function Show<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <Loading what={what} />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} what={`load ${what}`} />;
  return <>{children(loaded.data)}</>;
}
