export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Refresh this long before expiry, so a token never expires mid-call. */
  refreshSkewMs?: number;
}

export interface TokenSource {
  getToken(): Promise<string>;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

/** A service's own token, for work it does on its own (e.g. reacting to an event). Concurrent callers share one fetch. */
export function createClientCredentialsTokenSource(options: ClientCredentialsOptions): TokenSource {
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;
  const skew = options.refreshSkewMs ?? 30_000;

  async function fetchToken(): Promise<CachedToken> {
    const response = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status} for client ${options.clientId}`);
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new Error('token endpoint returned no access_token');
    const lifetimeMs = (body.expires_in ?? 60) * 1000;
    return { value: body.access_token, refreshAt: Date.now() + Math.max(lifetimeMs - skew, lifetimeMs / 2) };
  }

  return {
    async getToken() {
      if (cached && Date.now() < cached.refreshAt) return cached.value;
      inflight ??= fetchToken().finally(() => (inflight = undefined));
      cached = await inflight;
      return cached.value;
    },
  };
}
