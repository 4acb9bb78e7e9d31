#!/usr/bin/env node
// Rules as code through the API: `pnpm crm rules apply [--dry-run] [--prune] rules/*.yaml` sends the files as one
// YAML stream to POST /api/v1/workflows/apply and prints the plan (per rule: create/update/unchanged/delete, the
// diff against the live version and, on a dry run, the records it would match); `pnpm crm rules export [--keys a,b]
// [--out FILE]` writes GET /api/v1/workflows/export. The gateway is CRM_API_URL (default http://127.0.0.1:8080);
// the bearer token is CRM_TOKEN or --token. Exit status: 0 done, 1 refused or failed (the problem is printed).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: pnpm crm rules apply [--dry-run] [--prune] FILE... | pnpm crm rules export [--keys a,b] [--out FILE]\n' +
  '       (CRM_API_URL, default http://127.0.0.1:8080; CRM_TOKEN or --token)';

class CliError extends Error {}

/** The problem+json answer as lines: title, then each field named with its message. */
function problemText(status, body) {
  if (!body || typeof body !== 'object') return `HTTP ${status}`;
  const lines = [`${body.title ?? 'Request failed'} (HTTP ${status})${body.detail ? `: ${body.detail}` : ''}`];
  for (const error of body.errors ?? []) lines.push(`  ${error.field}: ${error.detail ?? ''}`);
  return lines.join('\n');
}

async function call(api, token, method, path, body, accept = 'application/json') {
  let response;
  try {
    response = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${api}: ${error.cause?.message ?? error.message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    throw new CliError(problemText(response.status, parsed));
  }
  return accept === 'application/json' ? JSON.parse(text) : text;
}

/** The plan as text: one line per rule, its diff indented, and on a dry run the records it would match. */
export function planText(result) {
  const lines = [];
  for (const change of result.changes) {
    lines.push(`${change.action.padEnd(9)} ${change.key}${change.ruleId ? ` (${change.ruleId})` : ''}`);
    if (change.action !== 'unchanged' && change.diff)
      for (const line of change.diff.split('\n')) if (!line.startsWith('  ')) lines.push(`    ${line}`);
    for (const match of change.matches ?? []) {
      lines.push(
        `    would match ${match.subjectType} ${match.subjectId}${match.subjectName ? ` (${match.subjectName})` : ''}`,
      );
      for (const planned of match.changes) lines.push(`      ${planned.stepId}: ${planned.description}`);
    }
  }
  const count = (action) => result.changes.filter((c) => c.action === action).length;
  lines.push(
    `${result.dryRun ? 'dry run, nothing changed: ' : ''}${count('create')} to create, ${count('update')} to update, ` +
      `${count('delete')} to delete, ${count('unchanged')} unchanged`,
  );
  return lines.join('\n');
}

export async function main(argv, env = process.env, out = process.stdout) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      prune: { type: 'boolean', default: false },
      keys: { type: 'string' },
      out: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const [area, command, ...files] = positionals;
  if (area !== 'rules' || !['apply', 'export'].includes(command)) throw new CliError(USAGE);
  const api = (env.CRM_API_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = values.token ?? env.CRM_TOKEN;
  if (!token) throw new CliError('no token: set CRM_TOKEN or pass --token');
  if (command === 'apply') {
    if (files.length === 0) throw new CliError(USAGE);
    // One stream of documents, so rules from several files apply (and prune) together.
    const yaml = files.map((file) => readFileSync(file, 'utf8')).join('\n---\n');
    const result = await call(api, token, 'POST', '/api/v1/workflows/apply', {
      yaml,
      dryRun: values['dry-run'],
      prune: values.prune,
    });
    out.write(`${planText(result)}\n`);
    return;
  }
  const query = values.keys ? `?keys=${encodeURIComponent(values.keys)}` : '';
  const yaml = await call(api, token, 'GET', `/api/v1/workflows/export${query}`, undefined, 'application/yaml');
  if (values.out) writeFileSync(values.out, yaml);
  else out.write(yaml);
}

if (import.meta.url === `file://${process.argv[1]}`)
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`[crm] ${error instanceof CliError ? error.message : (error.stack ?? String(error))}\n`);
    process.exit(1);
  });
