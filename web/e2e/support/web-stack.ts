// The real stack for browser tests: contact and pipeline services and the gateway in-process on port 0 (on the real
// NATS, MongoDB-wire server and Keycloak), the gateway serving the built web app, and Debian's Chromium signing in
// through Keycloak's own login page.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { userToken, type DemoUser } from '@crm/testkit';
import { GatewayStack } from '../../../gateway/test/support/gateway-stack';
import { launchChromium } from './browser';
import { admitOrigin, releaseOrigin } from './keycloak-admin';

export const WEB_DIST = resolve(__dirname, '..', '..', 'dist');

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface SignInOptions {
  path?: string;
  phone?: boolean;
  colorScheme?: 'light' | 'dark';
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors, API errors and Content-Security-Policy violations since the last call (the app must cause none). */
  problems(): Promise<string[]>;
  /** An API status the test provokes on purpose (a 412 for a stale move) is not a problem. */
  expectStatus(status: number): void;
}

const DEMO_NAMES: Partial<Record<DemoUser, string>> = {
  'acme-rep1': 'Rita Rep',
};

export class WebStack {
  readonly services = new GatewayStack();
  browser!: Browser;
  baseUrl = '';
  private readonly contexts: BrowserContext[] = [];

  /**
   * `workflow` starts the workflow service too (tasks, automation), with its extra environment; `more` the reporting
   * service (dashboards) and the ticket service.
   */
  async start(
    gatewayEnv: Record<string, string> = {},
    workflow?: Record<string, string>,
    more: { reporting?: boolean; ticket?: boolean } = {},
  ): Promise<this> {
    if (!existsSync(join(WEB_DIST, 'index.html')))
      throw new Error(`${WEB_DIST} has no build: run \`pnpm --filter @crm/web build\` (npm test builds it)`);
    await this.services.start({
      pipeline: true,
      ...more,
      ...(workflow ? { workflow } : {}),
      gatewayEnv: { WEB_DIST_DIR: WEB_DIST, ...gatewayEnv },
    });
    this.baseUrl = `http://127.0.0.1:${this.services.gateway.port}`;
    await admitOrigin(this.baseUrl);
    this.browser = await launchChromium();
    return this;
  }

  get api() {
    return this.services.api;
  }

  token(user: DemoUser): Promise<string> {
    return userToken(user);
  }

  async newContext(options: SignInOptions = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext({
      viewport: options.phone ? PHONE : DESKTOP,
      ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      colorScheme: options.colorScheme ?? 'light',
      locale: 'en-US',
      timezoneId: 'Europe/Berlin',
    });
    // Generous: the machine runs other suites at the same time.
    context.setDefaultTimeout(45_000);
    // Injected through the DevTools protocol, so it does not need the page's CSP to allow inline script.
    await context.addInitScript(() => {
      const g = globalThis as unknown as {
        __csp: string[];
        document: {
          addEventListener: (t: string, f: (e: { violatedDirective: string; blockedURI: string }) => void) => void;
        };
      };
      g.__csp = [];
      g.document.addEventListener('securitypolicyviolation', (e) =>
        g.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    this.contexts.push(context);
    return context;
  }

  /** Opens the app, signs in on Keycloak's login page, and waits until the app shows the signed-in user. */
  async signIn(user: DemoUser, options: SignInOptions = {}): Promise<Session> {
    const context = await this.newContext(options);
    const page = await context.newPage();
    const seen: string[] = [];
    const expected = new Set<number>();
    page.on('console', (message) => {
      // Failed requests are reported below with what the API said; a fetch the test cut (offline, an aborted
      // stream) is not the app's fault. Anything else logged as an error is.
      if (
        message.type() === 'error' &&
        !/net::ERR_(INTERNET_DISCONNECTED|FAILED|ABORTED)|Failed to load resource: the server responded/.test(
          message.text(),
        )
      )
        seen.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (
        response.status() < 400 ||
        !response.url().startsWith(`${this.baseUrl}/api/`) ||
        expected.has(response.status())
      )
        return;
      void response
        .text()
        .catch(() => '')
        .then((body) =>
          seen.push(
            `API ${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}: ${body.slice(0, 300)}`,
          ),
        );
    });
    page.on('pageerror', (error) => seen.push(`page error: ${error.message}`));
    await page.goto(`${this.baseUrl}${options.path ?? '/'}`);
    await page.waitForURL(/\/realms\/crm\/(protocol\/openid-connect\/auth|login-actions)/);
    await page.locator('#username').fill(user);
    await page.locator('#password').fill('demo');
    await page.locator('#kc-login').click();
    await page.waitForURL((url) => url.origin === this.baseUrl && url.pathname !== '/auth/callback');
    await page.locator('.user-button').waitFor();
    return {
      context,
      page,
      expectStatus: (status) => void expected.add(status),
      problems: async () => {
        const csp = await page
          .evaluate(() => (globalThis as unknown as { __csp?: string[] }).__csp ?? [])
          .catch(() => []);
        return [...seen, ...csp.map((v) => `CSP: ${v}`)];
      },
    };
  }

  displayName(user: DemoUser): string | undefined {
    return DEMO_NAMES[user];
  }

  async stop(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    if (this.baseUrl) await releaseOrigin(this.baseUrl).catch(() => undefined);
    await this.services.stop();
  }
}

/** Drags with the mouse in small steps, as a person does (dnd-kit starts after 6 px). */
export async function dragTo(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 10, from.y + 10, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 20 });
  await page.mouse.move(to.x, to.y + 2, { steps: 2 });
  await page.mouse.up();
}

export async function centerOf(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + Math.min(box.height / 2, 30) };
}
