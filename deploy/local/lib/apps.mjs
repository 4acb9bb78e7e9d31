import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';
import { APP_PORTS, grpcUrlEnvName, HOST } from '../ports.mjs';

/** Apps are folders with a package.json under services/, plus gateway/. */
export function discoverApps() {
  const servicesDir = join(repoRoot, 'services');
  const names = existsSync(servicesDir)
    ? readdirSync(servicesDir)
        .filter((d) => existsSync(join(servicesDir, d, 'package.json')))
        .sort()
    : [];
  const apps = names.map((name) => ({ name, kind: 'service', dir: join(servicesDir, name) }));
  if (existsSync(join(repoRoot, 'gateway', 'package.json')))
    apps.push({ name: 'gateway', kind: 'gateway', dir: join(repoRoot, 'gateway') });
  return withPorts(apps);
}

// A service missing from the table still gets stable ports: the next ones
// after the table, in name order.
function withPorts(apps) {
  let next = Object.keys(APP_PORTS).length;
  return apps.map((app) => {
    if (APP_PORTS[app.name]) return { ...app, ports: APP_PORTS[app.name] };
    const n = next++;
    return { ...app, ports: { grpc: 50050 + n, admin: 9100 + n } };
  });
}

/** KEY=VALUE lines; comments, blanks and `export ` prefixes tolerated, surrounding quotes dropped. */
export function parseEnvFile(path) {
  if (!existsSync(path)) return {};
  const env = {};
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#') || !line.includes('=')) continue;
    const at = line.indexOf('=');
    env[line.slice(0, at).trim()] = line
      .slice(at + 1)
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/** Every service's gRPC address, so callers find each other (`CONTACT_GRPC_URL=127.0.0.1:50051`). */
export function grpcUrls(apps) {
  const urls = {};
  for (const app of apps.filter((a) => a.ports.grpc)) urls[grpcUrlEnvName(app.name)] = `${HOST}:${app.ports.grpc}`;
  for (const [name, ports] of Object.entries(APP_PORTS)) {
    if (ports.grpc) urls[grpcUrlEnvName(name)] ??= `${HOST}:${ports.grpc}`;
  }
  return urls;
}

// The dev realm (deploy/keycloak) has one confidential client per app, with
// these development-only secrets.
function devClient(app) {
  const clientId = app.kind === 'gateway' ? 'crm-gateway' : `${app.name}-service`;
  return { OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: `${clientId}-secret` };
}

/**
 * .env.example < infra endpoints < gRPC addresses < the caller's env < what
 * must differ per app (name, ports, Keycloak client).
 */
export function appEnv(app, apps, infraEnv) {
  const own = { SERVICE_NAME: app.name, ADMIN_PORT: String(app.ports.admin), ...devClient(app) };
  if (app.ports.grpc) own.GRPC_PORT = String(app.ports.grpc);
  if (app.ports.http) own.HTTP_PORT = String(app.ports.http);
  const example = parseEnvFile(join(repoRoot, '.env.example'));
  return { ...example, ...infraEnv, ...grpcUrls(apps), ...process.env, ...own };
}

function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * True when some app's dist/main.js is missing or older than its own src/ or
 * any shared package's src/ (they are compiled together by `tsc -b`).
 */
export function needsBuild(apps) {
  const packagesDir = join(repoRoot, 'packages');
  const shared = existsSync(packagesDir)
    ? Math.max(0, ...readdirSync(packagesDir).map((p) => newestMtime(join(packagesDir, p, 'src'))))
    : 0;
  return apps.some((app) => {
    const main = join(app.dir, 'dist', 'main.js');
    if (!existsSync(main)) return true;
    const built = statSync(main).mtimeMs;
    return built < newestMtime(join(app.dir, 'src')) || built < shared;
  });
}
