import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { binDir, dataDir } from './paths.mjs';
import { HOST, INFRA_PORTS } from '../ports.mjs';
import { goInstall } from './go.mjs';
import { progress } from './log.mjs';
import { httpGet, run, spawnDetached } from './proc.mjs';

// Debian bookworm ships 2.9, which lacks features we rely on; build a pinned release instead.
export const NATS_VERSION = 'v2.12.15';
const NATS_MODULE = 'github.com/nats-io/nats-server/v2';

const binary = () => join(binDir(), 'nats-server');
const monitorUrl = () => `http://${HOST}:${INFRA_PORTS.natsMonitor}`;

/** Reads the INFO line every NATS server sends on connect. */
export function natsInfo(host, port, timeoutMs = 2000) {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    let buffer = '';
    const done = (info) => {
      socket.destroy();
      resolvePromise(info);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      const end = buffer.indexOf('\r\n');
      if (end < 0) return;
      const line = buffer.slice(0, end);
      try {
        done(line.startsWith('INFO ') ? JSON.parse(line.slice(5)) : null);
      } catch {
        done(null);
      }
    });
  });
}

function hostPortOf(natsUrl) {
  const first = natsUrl.split(',')[0].trim();
  const url = new URL(first.includes('://') ? first : `nats://${first}`);
  return { host: url.hostname, port: Number(url.port || 4222) };
}

async function installedVersion() {
  if (!existsSync(binary())) return null;
  const { code, output } = await run(binary(), ['--version']);
  return code === 0 ? output.trim().split(/\s+/).pop() : null;
}

export const nats = {
  name: 'nats',
  port: INFRA_PORTS.nats,
  startTimeoutMs: 30_000,
  external: () => process.env.NATS_URL || undefined,
  url() {
    return this.external() ?? `nats://${HOST}:${INFRA_PORTS.nats}`;
  },

  /** A NATS server with JetStream enabled answers at url(); for ours also /healthz with JetStream ready. */
  async probe({ own = false } = {}) {
    const { host, port } = hostPortOf(this.url());
    const info = await natsInfo(host, port);
    if (!info) return { ok: false, detail: 'no NATS INFO' };
    if (!info.jetstream) return { ok: false, detail: `NATS ${info.version} without JetStream`, foreign: true };
    if (own) {
      const health = await httpGet(`${monitorUrl()}/healthz?js-enabled-only=true`);
      if (health?.status !== 200) return { ok: false, detail: 'JetStream not ready yet' };
    }
    return { ok: true, detail: `nats-server ${info.version}, JetStream on` };
  },

  async install() {
    const version = await installedVersion();
    if (version === NATS_VERSION) return;
    progress('nats', `building nats-server ${NATS_VERSION} with Go (first run only, ~2 min)…`);
    await goInstall(`nats-server ${NATS_VERSION}`, `${NATS_MODULE}@${NATS_VERSION}`);
  },

  async start() {
    const storeDir = dataDir('nats');
    mkdirSync(storeDir, { recursive: true });
    const args = ['-a', HOST, '-p', String(INFRA_PORTS.nats), '-m', String(INFRA_PORTS.natsMonitor)];
    args.push('-n', 'crm-local', '-js', '-sd', storeDir);
    return spawnDetached('nats', binary(), args, {});
  },

  summary() {
    return this.external()
      ? [`NATS            ${this.url()} (external)`]
      : [`NATS            ${this.url()}`, `NATS monitor    ${monitorUrl()}  (/jsz, /healthz)`];
  },

  env() {
    return { NATS_URL: this.url() };
  },
};
