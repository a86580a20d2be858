import { useEffect, useMemo, useState } from 'preact/hooks';
import { pageFor } from './routes';
import { useLocation } from './router';
import { clearSession, clientFor, loadSession, saveSession, Signed, type Session } from './session';
import { SignInPage } from './pages/sign-in/sign-in.page';
import { Link } from './ui/link';

const NAV = [
  { to: '/', section: 'overview', label: 'Overview', needs: 'apiKey' },
  { to: '/deliveries', section: 'deliveries', label: 'Deliveries', needs: 'apiKey' },
  { to: '/events', section: 'events', label: 'Events', needs: 'apiKey' },
  { to: '/catalog', section: 'catalog', label: 'Catalog', needs: 'apiKey' },
  { to: '/admin', section: 'admin', label: 'All workspaces', needs: 'adminToken' },
] as const;

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const where = useLocation();
  const signed = useMemo(() => {
    if (!session) return null;
    const signOut = () => {
      clearSession();
      setSession(null);
    };
    return { session, client: clientFor(session), signOut };
  }, [session]);
  const page = signed ? pageFor(where, signed.session) : null;
  useEffect(() => {
    document.title = page ? `${page.title} · Dispatch console` : 'Sign in · Dispatch console';
  }, [page?.title]);

  if (!signed || !page) {
    return (
      <SignInPage
        onSignedIn={(next) => {
          saveSession(next);
          setSession(next);
        }}
      />
    );
  }
  return (
    <Signed.Provider value={signed}>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Dispatch</span>
        <nav aria-label="Console">
          {NAV.filter((item) => signed.session[item.needs]).map((item) => (
            <Link key={item.to} to={item.to} current={page.section === item.section}>
              {item.label}
            </Link>
          ))}
        </nav>
        <button type="button" class="sign-out" onClick={signed.signOut}>
          Sign out
        </button>
      </header>
      <main id="content" tabIndex={-1}>
        {/* Keyed by path: a page's own state (a revealed secret, a replay) never follows you to another page. */}
        <div key={where.path}>{page.body}</div>
      </main>
    </Signed.Provider>
  );
}
