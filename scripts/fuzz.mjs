#!/usr/bin/env node
// `pnpm test:fuzz [--long]`: schemathesis against the running gateway's OpenAPI document, once per role with that
// role's real Keycloak token: the whole platform (every service under services/ and the gateway) as processes of
// its own on free ports, on the local infrastructure (`pnpm infra up`, started here when needed), with rate limits
// raised by configuration. A fixed budget: the short form (npm test) a few examples per operation and role, the
// long form many more. Fails on any finding: a 5xx, a broken connection, a response the document does not
// describe, internal details in an error, an input the document allows refused or one it forbids accepted.
// Prints the count of requests and findings; with --junit-dir the per-role JUnit reports (counted by npm test).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { up } from '../deploy/local/infra.mjs';
import { repoRoot } from '../deploy/local/lib/paths.mjs';
import { startPrivateStack } from './lib/private-stack.mjs';
import { ensureSchemathesis } from './lib/schemathesis.mjs';
import { issuerOf, PARTNER } from './lib/tokens.mjs';

const args = process.argv.slice(2);
const long = args.includes('--long');
const junitDir = args.includes('--junit-dir') ? args[args.indexOf('--junit-dir') + 1] : undefined;
const say = (m) => process.stderr.write(`[fuzz] ${m}\n`);

/** Who fuzzes: one person per kind of role, and the partner client. */
export const ROLES = [
  { name: 'admin', form: { grant_type: 'password', client_id: 'crm-cli', username: 'acme-admin', password: 'demo' } },
  {
    name: 'manager',
    form: { grant_type: 'password', client_id: 'crm-cli', username: 'acme-manager', password: 'demo' },
  },
  { name: 'rep', form: { grant_type: 'password', client_id: 'crm-cli', username: 'acme-rep1', password: 'demo' } },
  { name: 'agent', form: { grant_type: 'password', client_id: 'crm-cli', username: 'acme-agent1', password: 'demo' } },
  {
    name: 'partner',
    form: { grant_type: 'client_credentials', client_id: PARTNER.clientId, client_secret: PARTNER.secret },
  },
];

// Every check schemathesis has, less the stateful ones that need OpenAPI links the document does not declare.
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'positive_data_acceptance',
  'missing_required_header',
  'unsupported_method',
  'ignored_auth',
  'no_internal_details',
];

const budget = long
  ? { maxExamples: 100, phases: 'examples,coverage,fuzzing', workers: 2 }
  : { maxExamples: 2, phases: 'examples,fuzzing', workers: 1 };

function runSchemathesis(st, role, gatewayUrl, reportDir) {
  return new Promise((resolve) => {
    const child = spawn(
      st,
      [
        '--config-file',
        join(repoRoot, 'scripts', 'fuzz', 'schemathesis.toml'),
        'run',
        `${gatewayUrl}/api/v1/openapi.json`,
        '--url',
        gatewayUrl,
        '--checks',
        CHECKS.join(','),
        '--max-examples',
        String(budget.maxExamples),
        '--phases',
        budget.phases,
        '--workers',
        String(budget.workers),
        '--seed',
        '20250101',
        '--request-timeout',
        '30',
        '--suppress-health-check',
        'all',
        '--report',
        'junit,ndjson',
        '--report-dir',
        reportDir,
        '--no-color',
        '--output-truncate',
        'true',
      ],
      {
        env: {
          ...process.env,
          PYTHONPATH: join(repoRoot, 'scripts', 'fuzz'),
          SCHEMATHESIS_HOOKS: 'crm_hooks',
          CRM_FUZZ_ISSUER: issuerOf(),
          CRM_FUZZ_TOKEN_FORM: JSON.stringify(role.form),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Findings the fuzzer reports that are the API being right about state a schema cannot express: a request the
 * document allows, refused with 400 because of what it refers to. Each names its reason; anything else fails.
 */
const ACCEPTED = JSON.parse(readFileSync(join(repoRoot, 'scripts', 'fuzz', 'accepted-findings.json'), 'utf8'));
/** A field the problem names is covered by an accepted one: itself or a part of it ("trigger.event", "hours[1]"). */
const covers = (accepted, field) =>
  field === accepted || field.startsWith(`${accepted}.`) || field.startsWith(`${accepted}[`);
/**
 * An entry matches its check, status and operation ("*": any); with fields, only a 400 whose problem names nothing
 * but those fields, so an entry made for one reason does not hide another.
 */
const isAccepted = (f) =>
  ACCEPTED.some(
    (a) =>
      a.check === f.check &&
      (a.operation === '*' || a.operation === f.operation) &&
      a.status === f.status &&
      (!a.fields || (f.fields.length > 0 && f.fields.every((field) => a.fields.some((x) => covers(x, field))))),
  );

/** The fields a problem+json answer names (errors[].field), from a recorded response. */
function problemFields(response) {
  const raw = response?.content ?? response?.body;
  if (!raw) return [];
  try {
    const text = typeof raw === 'object' && raw.$base64 ? Buffer.from(raw.$base64, 'base64').toString() : String(raw);
    return (JSON.parse(text).errors ?? []).map((e) => String(e.field));
  } catch {
    return [];
  }
}

/** Per operation: requests sent and findings (check, status), from the NDJSON event stream of one run. */
function summarise(reportDir) {
  const file = readdirSync(reportDir).find((f) => f.endsWith('.ndjson'));
  const operations = new Map();
  if (!file) return operations;
  for (const line of readFileSync(join(reportDir, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const finished = JSON.parse(line).ScenarioFinished;
    if (!finished) continue;
    const recorder = finished.recorder ?? {};
    const op = operations.get(recorder.label) ?? { requests: 0, findings: [] };
    operations.set(recorder.label, op);
    op.requests += Object.values(recorder.interactions ?? {}).filter((i) => i.response).length;
    for (const [caseId, checks] of Object.entries(recorder.checks ?? {}))
      for (const check of checks)
        if (check.status !== 'success') {
          const response = recorder.interactions?.[caseId]?.response;
          const status = response?.status_code ?? null;
          op.findings.push({ check: check.name, operation: recorder.label, status, fields: problemFields(response) });
        }
  }
  return operations;
}

const xmlText = (s) =>
  String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

/** One JUnit testcase per operation of a role's run: failed when it has a finding that is not accepted. */
function junitOf(role, operations) {
  const cases = [...operations].map(([label, op]) => {
    const open = op.findings.filter((f) => !isAccepted(f));
    const name = xmlText(`${role} ${label} (${op.requests} requests)`);
    if (open.length === 0) return `  <testcase classname="fuzz.${role}" name="${name}"/>`;
    const detail = xmlText([...new Set(open.map((f) => `${f.check} -> ${f.status}`))].join('\n'));
    return `  <testcase classname="fuzz.${role}" name="${name}"><failure message="findings">${detail}</failure></testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="fuzz ${role}" tests="${cases.length}">\n${cases.join('\n')}\n</testsuite>\n`;
}

async function main() {
  const st = ensureSchemathesis(say);
  const { env } = await up({ quiet: true });
  const namespace = `fuzz${Date.now().toString(36)}`;
  const workDir = join(tmpdir(), `crm-${namespace}`);
  const stack = await startPrivateStack({
    infra: { ...env, OIDC_ISSUER: issuerOf() },
    namespace,
    logDir: join(workDir, 'logs'),
    // The fuzzer is one client sending as fast as it can: rate limits high enough not to refuse it.
    gatewayEnv: {
      RATE_LIMIT_CLIENT_BURST: '1000000',
      RATE_LIMIT_CLIENT_PER_SEC: '100000',
      RATE_LIMIT_TENANT_BURST: '1000000',
      RATE_LIMIT_TENANT_PER_SEC: '100000',
    },
    say,
  });
  const rows = [];
  try {
    for (const role of ROLES) {
      const reportDir = join(workDir, `schemathesis-${role.name}`);
      rmSync(reportDir, { recursive: true, force: true });
      mkdirSync(reportDir, { recursive: true });
      say(`fuzzing as ${role.name} (${budget.phases}, at most ${budget.maxExamples} examples per operation)…`);
      const { code, output } = await runSchemathesis(st, role, stack.gatewayUrl, reportDir);
      const operations = summarise(reportDir);
      if (operations.size === 0) process.stderr.write(`${output.slice(-5000)}\n`);
      if (junitDir) {
        mkdirSync(junitDir, { recursive: true });
        writeFileSync(join(junitDir, `fuzz-${role.name}.xml`), junitOf(role.name, operations));
      }
      rows.push({ role: role.name, operations, code });
    }
  } finally {
    await stack.stop();
  }
  let open = 0;
  process.stdout.write('\nschemathesis against the gateway (' + (long ? 'long' : 'short') + ' form)\n');
  process.stdout.write('role      operations  requests  findings  accepted\n');
  for (const r of rows) {
    const findings = [...r.operations.values()].flatMap((o) => o.findings);
    const accepted = findings.filter(isAccepted);
    const requests = [...r.operations.values()].reduce((a, o) => a + o.requests, 0);
    open += findings.length - accepted.length;
    process.stdout.write(
      `${r.role.padEnd(9)} ${String(r.operations.size).padStart(10)} ${String(requests).padStart(9)} ${String(findings.length - accepted.length).padStart(9)} ${String(accepted.length).padStart(9)}\n`,
    );
    const distinct = new Map();
    for (const f of findings.filter((x) => !isAccepted(x))) {
      const key = `${f.check}: ${f.operation} -> ${f.status}`;
      distinct.set(key, (distinct.get(key) ?? 0) + 1);
    }
    for (const [what, n] of distinct) process.stdout.write(`    ${n} x ${what}\n`);
    if (r.operations.size === 0) open += 1;
  }
  const total = rows.reduce((a, r) => a + [...r.operations.values()].reduce((b, o) => b + o.requests, 0), 0);
  process.stdout.write(`total requests: ${total}, open findings: ${open}\n`);
  process.exit(open === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
