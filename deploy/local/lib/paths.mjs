import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const localDir = join(repoRoot, 'deploy', 'local');

// Read on every call rather than at import, so a test global-setup can set
// CRM_CACHE_DIR / CRM_STATE_DIR after importing the module.
export function cacheDir() {
  return resolve(process.env.CRM_CACHE_DIR || join(homedir(), '.cache', 'crm-platform'));
}

export function stateDir() {
  return resolve(process.env.CRM_STATE_DIR || join(homedir(), '.local', 'state', 'crm-platform'));
}

export const binDir = () => join(cacheDir(), 'bin');
export const downloadsDir = () => join(cacheDir(), 'downloads');
export const dataDir = (name) => join(stateDir(), 'data', name);
export const logFile = (name) => join(stateDir(), 'logs', `${name}.log`);
export const pidFile = (name) => join(stateDir(), 'run', `${name}.pid`);
export const runDir = () => join(stateDir(), 'run');
