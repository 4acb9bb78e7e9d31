// schemathesis (PyPI) in a virtualenv of its own in the tools cache, installed once with pip; later runs use it
// as it is, so they need no network.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../deploy/local/lib/paths.mjs';

export const SCHEMATHESIS_VERSION = '4.32.5';

export function ensureSchemathesis(say = (m) => process.stderr.write(`[fuzz] ${m}\n`)) {
  const venv = join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
  const st = join(venv, 'bin', 'st');
  const stamp = join(venv, '.installed');
  if (existsSync(st) && existsSync(stamp)) return st;
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${venv} (first run only)…`);
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) throw new Error('schemathesis needs Python 3 (python3 on PATH)');
  for (const [cmd, args] of [
    [python, ['-m', 'venv', venv]],
    [
      join(venv, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
    ],
  ]) {
    const run = spawnSync(cmd, args, { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${run.status})`);
  }
  spawnSync('touch', [stamp]);
  return st;
}
