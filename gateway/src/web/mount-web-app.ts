import { resolve } from 'node:path';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { webAppAvailable, webAppRouter } from './web-app';

/** web/dist next to the gateway in the repository (gateway/dist/web → ../../../web/dist). */
export function defaultWebDistDir(): string {
  return resolve(__dirname, '..', '..', '..', 'web', 'dist');
}

/** Serves the web app when it has been built; the API works the same without it. */
export function mountWebApp(app: Express, config: GatewayConfig, log: Logger, fallbackDir: string): void {
  const distDir = config.WEB_DIST_DIR ?? fallbackDir;
  if (!webAppAvailable(distDir)) {
    log.info({ distDir }, 'web app not built: "/" serves no app (pnpm --filter @crm/web build)');
    return;
  }
  app.use(
    webAppRouter({
      distDir,
      oidcIssuer: config.WEB_OIDC_ISSUER ?? config.OIDC_ISSUER,
      oidcClientId: config.WEB_OIDC_CLIENT_ID,
    }),
  );
}
