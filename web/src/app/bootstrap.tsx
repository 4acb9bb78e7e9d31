// Start-up: the runtime config from the gateway, finishing or starting the Keycloak sign-in, then the app.
// Offline with a stored session, the app starts on the cached data instead of redirecting to a sign-in page.
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { setTokenSource } from '../api/http-client';
import { AuthClient, CALLBACK_PATH, profileOf } from '../auth/auth-client';
import { App } from './app';

export interface AppConfig {
  oidc: { authority: string; clientId: string };
}

const CONFIG_KEY = 'crm.app-config';

async function loadConfig(): Promise<AppConfig> {
  try {
    const response = await fetch('/app-config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`app-config.json answered ${response.status}`);
    const config = (await response.json()) as AppConfig;
    localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    return config;
  } catch (error) {
    const cached = localStorage.getItem(CONFIG_KEY);
    if (cached) return JSON.parse(cached) as AppConfig;
    throw error;
  }
}

function Splash({ message, action }: { message: string; action?: { label: string; run: () => void } }) {
  return (
    <div className="splash" role="status">
      <img src="/icons/icon.svg" alt="" />
      <p>{message}</p>
      {action ? (
        <button type="button" className="btn btn-primary" onClick={action.run}>
          {action.label}
        </button>
      ) : null}
    </div>
  );
}

export async function bootstrap(container: HTMLElement): Promise<void> {
  const root: Root = createRoot(container);
  const show = (message: string, action?: { label: string; run: () => void }) =>
    root.render(<Splash message={message} {...(action ? { action } : {})} />);
  show('Loading…');

  let config: AppConfig;
  try {
    config = await loadConfig();
  } catch {
    show('The CRM could not be reached.', { label: 'Try again', run: () => window.location.reload() });
    return;
  }
  const auth = new AuthClient(config.oidc);

  if (window.location.pathname === CALLBACK_PATH) {
    try {
      const returnTo = await auth.completeSignIn();
      window.history.replaceState(null, '', returnTo);
    } catch {
      show('Signing in did not complete.', { label: 'Sign in again', run: () => void auth.signIn('/') });
      return;
    }
  }

  let user = await auth.storedUser();
  if ((!user || user.expired) && navigator.onLine) {
    if (user?.refresh_token) await auth.renew();
    user = await auth.storedUser();
    if (!user || user.expired) {
      show('Redirecting to sign-in…');
      await auth.signIn(window.location.pathname + window.location.search);
      return;
    }
  }
  if (!user) {
    show('You are offline. Sign in once online to use the app on this device.', {
      label: 'Retry',
      run: () => window.location.reload(),
    });
    return;
  }

  setTokenSource(auth);
  auth.manager.events.addUserSignedOut(() => void auth.signIn(window.location.pathname));
  root.render(
    <StrictMode>
      <App session={{ auth, profile: profileOf(user) }} />
    </StrictMode>,
  );
}
