// Keycloak sign-in for the browser: authorization code + PKCE through oidc-client-ts, silent renewal with the
// refresh token before the access token expires, and sign-out through Keycloak's end-session endpoint.
import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { TokenSource } from '../api/http-client';

export interface OidcSettings {
  authority: string;
  clientId: string;
}

export interface Profile {
  userId: string;
  name: string;
  email: string;
  username: string;
  tenant: string;
  /** Team ids from the groups claim (last segment of /teams/<id>). */
  teams: string[];
}

export const CALLBACK_PATH = '/auth/callback';

interface SignInState {
  returnTo: string;
}

export class AuthClient implements TokenSource {
  readonly manager: UserManager;

  constructor(settings: OidcSettings, origin = window.location.origin) {
    this.manager = new UserManager({
      authority: settings.authority,
      client_id: settings.clientId,
      redirect_uri: `${origin}${CALLBACK_PATH}`,
      post_logout_redirect_uri: `${origin}/`,
      response_type: 'code',
      scope: 'openid profile email',
      // Kept across reloads and in the installed app; the CSP admits no third-party or inline script to read it.
      userStore: new WebStorageStateStore({ store: window.localStorage }),
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: 60,
      monitorSession: false,
      loadUserInfo: false,
    });
  }

  /** The stored user, even with an expired access token (for offline start); undefined when none. */
  async storedUser(): Promise<User | undefined> {
    return (await this.manager.getUser()) ?? undefined;
  }

  async signIn(returnTo: string): Promise<void> {
    await this.manager.signinRedirect({ state: { returnTo } satisfies SignInState });
  }

  /** Finishes the redirect back from Keycloak and says where the user was going. */
  async completeSignIn(): Promise<string> {
    const user = await this.manager.signinRedirectCallback();
    const state = user.state as SignInState | undefined;
    const returnTo = state?.returnTo ?? '/';
    return returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';
  }

  async signOut(): Promise<void> {
    const user = await this.manager.getUser();
    await this.manager.removeUser();
    await this.manager.signoutRedirect({ id_token_hint: user?.id_token });
  }

  async accessToken(): Promise<string | undefined> {
    const user = await this.manager.getUser();
    if (!user) return undefined;
    if (user.expires_in !== undefined && user.expires_in < 15 && navigator.onLine) return this.renew();
    return user.access_token;
  }

  private renewing: Promise<string | undefined> | undefined;

  /** One renewal at a time however many requests ask for it. */
  renew(): Promise<string | undefined> {
    this.renewing ??= this.manager
      .signinSilent()
      .then((user) => user?.access_token)
      .catch(() => undefined)
      .finally(() => {
        this.renewing = undefined;
      });
    return this.renewing;
  }
}

export function profileOf(user: User): Profile {
  const claims = user.profile as Record<string, unknown>;
  const text = (key: string) => (typeof claims[key] === 'string' ? (claims[key] as string) : '');
  const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
  return {
    userId: user.profile.sub,
    name:
      text('name') || [text('given_name'), text('family_name')].filter(Boolean).join(' ') || text('preferred_username'),
    email: text('email'),
    username: text('preferred_username'),
    tenant: text('tenant'),
    teams: groups.filter((g) => g.startsWith('/teams/')).map((g) => g.slice(g.lastIndexOf('/') + 1)),
  };
}
