import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { DispatchClient } from '@dispatch/client';

// Who the console speaks as. Kept in this tab's session storage only (gone when the tab closes),
// never in a URL, a cookie or local storage.

export interface Session {
  /** A workspace API key (`dsp_…`): every workspace view. */
  apiKey?: string;
  /** The operator token: the cross-workspace views. */
  adminToken?: string;
}

const STORAGE_KEY = 'dispatch.console.session';

export function loadSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    return session && (session.apiKey || session.adminToken) ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** The API is the origin that served the console. */
export const clientFor = (session: Session) => new DispatchClient({ url: location.origin, apiKey: session.apiKey, adminToken: session.adminToken });

export interface SessionContext {
  session: Session;
  client: DispatchClient;
  signOut: () => void;
}

export const Signed = createContext<SessionContext | null>(null);

export function useSession(): SessionContext {
  const context = useContext(Signed);
  if (!context) throw new Error('useSession outside a signed-in page');
  return context;
}
