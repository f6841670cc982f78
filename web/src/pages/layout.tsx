import { useQueryClient } from '@tanstack/react-query';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api/client';
import { session, setSession } from '../api/session';
import { HealthIndicator } from '../components/health';
import { BusyBanner, ConnectionBanner } from '../components/status-bars';
import { AchievementToasts } from '../components/toasts';
import { Button } from '../components/ui';
import { useStore } from '../lib/store';

export function Layout() {
  const current = useStore(session);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const role = current?.user.role;

  async function logOut() {
    await api.POST('/api/auth/logout').catch(() => undefined);
    setSession(null);
    queryClient.clear();
    void navigate('/events');
  }

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <ConnectionBanner />
      <BusyBanner />
      <header className="header">
        <Link className="brand" to="/events">
          Stampede
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/events">Events</NavLink>
            </li>
            <li>
              <NavLink to="/products">Products</NavLink>
            </li>
            <li>
              <NavLink to="/leaderboards">Leaderboards</NavLink>
            </li>
            {current && (
              <li>
                <NavLink to="/me" end>
                  Profile
                </NavLink>
              </li>
            )}
            {current && (
              <li>
                <NavLink to="/me/activity">Activity</NavLink>
              </li>
            )}
            {(role === 'organizer' || role === 'admin') && (
              <li>
                <NavLink to="/organizer">Organizer</NavLink>
              </li>
            )}
            {role === 'admin' && (
              <li>
                <NavLink to="/ops">Operations</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div className="header-end">
          <HealthIndicator />
          {current ? (
            <>
              <span data-testid="signed-in-as">{current.user.handle}</span>
              <Button variant="secondary" onClick={() => void logOut()}>
                Log out
              </Button>
            </>
          ) : (
            <Link to="/signin">Sign in</Link>
          )}
        </div>
      </header>
      <main id="main">
        <Outlet />
      </main>
      {current && <AchievementToasts />}
    </>
  );
}
