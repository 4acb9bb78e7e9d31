import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, dataDir, downloadsDir, repoRoot } from './paths.mjs';
import { HOST, INFRA_PORTS } from '../ports.mjs';
import { findJdk } from './jdk.mjs';
import { InfraError, progress } from './log.mjs';
import { httpGet, lastLines, run, spawnDetached, which } from './proc.mjs';

export const KEYCLOAK_VERSION = '26.5.6';
export const REALM = 'crm';
const ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`;
const ZIP_NAME = `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`;

const localUrl = `http://${HOST}:${INFRA_PORTS.keycloak}`;
export const installDir = () => join(cacheDir(), 'keycloak', `keycloak-${KEYCLOAK_VERSION}`);
const zipPath = () => join(downloadsDir(), ZIP_NAME);

/** The realm file(s) are the source of truth; tests may point at another directory. */
export function realmDir() {
  return process.env.CRM_KEYCLOAK_REALM_DIR || join(repoRoot, 'deploy', 'keycloak');
}

function looksLikeZip(path) {
  return existsSync(path) && statSync(path).size > 1_000_000;
}

async function downloadWithMaven() {
  const { code, output } = await run(
    which('mvn'),
    ['-q', '-B', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${downloadsDir()}`],
    { cwd: tmpdir() },
  );
  if (code !== 0 || !looksLikeZip(zipPath())) {
    throw new InfraError(
      `Downloading Keycloak ${KEYCLOAK_VERSION} (${ARTIFACT}) with Maven failed. Maven Central (or the mirror in ` +
        `~/.m2/settings.xml) must be reachable. Alternatively put ${ZIP_NAME} into ${downloadsDir()} by hand, or set ` +
        `KEYCLOAK_URL to use a Keycloak running elsewhere. Maven said:\n${lastLines(output)}`,
    );
  }
}

/** Without Maven, a repository base URL given by the user (a Maven Central mirror) is used. */
async function downloadFromRepo(repoUrl) {
  const path = `org/keycloak/keycloak-quarkus-dist/${KEYCLOAK_VERSION}/${ZIP_NAME}`;
  const res = await fetch(`${repoUrl.replace(/\/$/, '')}/${path}`).catch((err) => ({ ok: false, status: String(err) }));
  if (!res.ok) throw new InfraError(`Downloading ${path} from CRM_MAVEN_REPO_URL=${repoUrl} failed (${res.status}).`);
  const tmp = `${zipPath()}.tmp-${process.pid}`;
  writeFileSync(tmp, Buffer.from(await res.arrayBuffer()));
  renameSync(tmp, zipPath());
}

async function download() {
  if (looksLikeZip(zipPath())) return;
  mkdirSync(downloadsDir(), { recursive: true });
  const say = () => progress('keycloak', `downloading ${ARTIFACT} (first run only, ~200 MB)…`);
  if (which('mvn')) return (say(), downloadWithMaven());
  if (process.env.CRM_MAVEN_REPO_URL) return (say(), downloadFromRepo(process.env.CRM_MAVEN_REPO_URL));
  throw new InfraError(
    `Keycloak ${KEYCLOAK_VERSION} is fetched from Maven Central as ${ARTIFACT}, but \`mvn\` is not installed. ` +
      `Install Maven (for example \`apt-get install maven\`), or set CRM_MAVEN_REPO_URL to a Maven repository base URL, ` +
      `or put ${ZIP_NAME} into ${downloadsDir()} by hand, or set KEYCLOAK_URL to use a Keycloak running elsewhere.`,
  );
}

function unzipCommand(zip, dest) {
  if (which('unzip')) return [which('unzip'), ['-q', '-o', zip, '-d', dest], undefined];
  const python = which('python3') ?? which('python');
  if (python) return [python, ['-m', 'zipfile', '-e', zip, dest], undefined];
  if (which('jar')) return [which('jar'), ['xf', zip], dest];
  throw new InfraError('Unpacking Keycloak needs `unzip`, `python3` or a JDK `jar` tool; none was found on PATH.');
}

/** Extracts next to the final place and renames, so a half-extracted tree is never mistaken for an install. */
async function extract() {
  const parent = join(cacheDir(), 'keycloak');
  const tmp = join(parent, `.extract-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  progress('keycloak', `unpacking Keycloak ${KEYCLOAK_VERSION} into ${parent}…`);
  const [cmd, args, cwd] = unzipCommand(zipPath(), tmp);
  const { code, output } = await run(cmd, args, { cwd });
  const unpacked = join(tmp, `keycloak-${KEYCLOAK_VERSION}`);
  if (code !== 0 || !existsSync(join(unpacked, 'bin', 'kc.sh'))) {
    rmSync(tmp, { recursive: true, force: true });
    throw new InfraError(`Unpacking ${zipPath()} failed (delete it to download again):\n${lastLines(output)}`);
  }
  // python's zipfile and jar drop the executable bits.
  for (const script of readdirSync(join(unpacked, 'bin')).filter((f) => f.endsWith('.sh'))) {
    chmodSync(join(unpacked, 'bin', script), 0o755);
  }
  rmSync(installDir(), { recursive: true, force: true });
  renameSync(unpacked, installDir());
  rmSync(tmp, { recursive: true, force: true });
}

function realmFiles() {
  const dir = realmDir();
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  if (files.length === 0) {
    throw new InfraError(
      `No realm export (*.json) found in ${dir}. Keycloak is started with the "${REALM}" realm imported from there ` +
        `(deploy/keycloak/${REALM}-realm.json); restore that file or point CRM_KEYCLOAK_REALM_DIR at a directory holding one.`,
    );
  }
  return files.map((f) => join(dir, f));
}

/** Dev-mode import skips realms that already exist, so start from an empty DB: the realm file always wins. */
function prepareImport() {
  const importDir = join(installDir(), 'data', 'import');
  rmSync(importDir, { recursive: true, force: true });
  mkdirSync(importDir, { recursive: true });
  for (const file of realmFiles()) copyFileSync(file, join(importDir, file.split('/').pop()));
  const dbDir = join(dataDir('keycloak'), 'h2');
  rmSync(dbDir, { recursive: true, force: true });
  mkdirSync(dbDir, { recursive: true });
  return `jdbc:h2:file:${join(dbDir, 'keycloakdb')};NON_KEYWORDS=VALUE`;
}

// kc.sh's defaults plus java.lang, which Java 24+ needs for the thread-local
// reset in jboss-threads (without it request threads die on JDK 25).
const ADD_OPENS = ['java.util', 'java.util.concurrent', 'java.security', 'java.lang']
  .map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`)
  .join(' ');

export const keycloak = {
  name: 'keycloak',
  port: INFRA_PORTS.keycloak,
  startTimeoutMs: 240_000,
  external: () => process.env.KEYCLOAK_URL?.replace(/\/$/, '') || undefined,
  url() {
    return this.external() ?? localUrl;
  },
  issuer() {
    return `${this.url()}/realms/${REALM}`;
  },

  async probe() {
    const res = await httpGet(`${this.issuer()}/.well-known/openid-configuration`);
    if (!res) return { ok: false, detail: 'no HTTP answer' };
    if (res.status !== 200)
      return { ok: false, detail: `realm "${REALM}" discovery answered ${res.status}`, foreign: res.status !== 404 };
    const issuer = JSON.parse(res.body).issuer;
    if (issuer !== this.issuer())
      return { ok: false, detail: `issuer is ${issuer}, expected ${this.issuer()}`, foreign: true };
    return { ok: true, detail: `realm "${REALM}" served, issuer ${issuer}` };
  },

  async install() {
    if (existsSync(join(installDir(), 'bin', 'kc.sh'))) return;
    await download();
    await extract();
  },

  async start() {
    const dbUrl = prepareImport();
    const jdk = await findJdk();
    progress(
      'keycloak',
      `starting Keycloak ${KEYCLOAK_VERSION} on Java ${jdk.major} (${jdk.source}: ${jdk.home}), importing ${realmDir()}…`,
    );
    const env = {
      ...process.env,
      JAVA_HOME: jdk.home,
      JAVA_ADD_OPENS: process.env.JAVA_ADD_OPENS ?? ADD_OPENS,
      KC_BOOTSTRAP_ADMIN_USERNAME: process.env.KC_BOOTSTRAP_ADMIN_USERNAME ?? 'admin',
      KC_BOOTSTRAP_ADMIN_PASSWORD: process.env.KC_BOOTSTRAP_ADMIN_PASSWORD ?? 'admin',
    };
    const args = [
      'start-dev',
      `--http-host=${HOST}`,
      `--http-port=${INFRA_PORTS.keycloak}`,
      // A full URL pins the issuer, whatever Host header a client sends (localhost, 127.0.0.1, a proxy).
      `--hostname=${localUrl}`,
      `--http-management-port=${INFRA_PORTS.keycloakManagement}`,
      '--health-enabled=true',
      '--import-realm',
      // Keycloak 26 locks a user out when two logins of theirs overlap, even with the right password; parallel
      // tests and load generators sign the demo users in concurrently. Brute-force detection stays on for failures.
      '--spi-brute-force-protector--default-brute-force-detector--allow-concurrent-requests=true',
      `--db-url=${dbUrl}`,
    ];
    return spawnDetached('keycloak', join(installDir(), 'bin', 'kc.sh'), args, { env, match: installDir() });
  },

  summary() {
    const lines = [
      `Keycloak        ${this.url()}${this.external() ? ' (external)' : ''}`,
      `OIDC issuer     ${this.issuer()}`,
    ];
    if (!this.external()) lines.push(`Keycloak admin  ${localUrl}/admin  (admin / admin, dev only)`);
    return lines;
  },

  env() {
    return { KEYCLOAK_URL: this.url(), OIDC_ISSUER: this.issuer() };
  },
};
