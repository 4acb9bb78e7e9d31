#!/usr/bin/env node
// `node scripts/flamegraph.mjs <profile.cpuprofile> <out.svg> [title]`: a flame graph of a V8 CPU profile (from
// `node --cpu-prof`). The profile is folded into stacks here and drawn by inferno's flamegraph (the Rust port of
// Brendan Gregg's FlameGraph), built once with cargo from crates.io into the tools cache. Idle time and module
// loading (start-up) are left out, so the graph shows what the process spends serving.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../deploy/local/lib/paths.mjs';

const INFERNO = 'inferno@0.12.8';
const [input, output, title = 'CPU flame graph'] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node scripts/flamegraph.mjs <profile.cpuprofile> <out.svg> [title]\n');
  process.exit(2);
}

const root = join(cacheDir(), 'inferno');
const flamegraph = join(root, 'bin', 'inferno-flamegraph');
if (!existsSync(flamegraph)) {
  process.stderr.write(`[flamegraph] building ${INFERNO} with cargo (first run only)…\n`);
  const [name, version] = INFERNO.split('@');
  const built = spawnSync('cargo', ['install', name, '--version', version, '--root', root, '--locked'], {
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const profile = JSON.parse(readFileSync(input, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** "function (package/file:line)", with node_modules paths shortened to the package. */
function frameName({ functionName, url, lineNumber }) {
  const pkg = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  const where = pkg ? pkg[1] : url.replace(/^.*\/(gateway|services\/[^/]+|packages\/[^/]+)\//, '$1/');
  const fn = (functionName || '(anonymous)').replace(/;/g, ':');
  return where ? `${fn} (${where.replace(/;/g, ':')}:${lineNumber + 1})` : fn;
}

const microsByNode = new Map();
profile.samples.forEach((id, i) => microsByNode.set(id, (microsByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const folded = new Map();
for (const [id, micros] of microsByNode) {
  const frames = [];
  for (let at = id; at !== undefined; at = parentOf.get(at)) frames.push(byId.get(at).callFrame);
  frames.reverse();
  const startUp = frames.some((f) => f.url.includes('run_main') || f.url.includes('modules/cjs/loader'));
  if (startUp || frames.at(-1)?.functionName === '(idle)') continue;
  const stack = frames
    .filter((f) => f.functionName !== '(root)')
    .map(frameName)
    .join(';');
  folded.set(stack, (folded.get(stack) ?? 0) + micros);
}
const lines = [...folded].map(([stack, micros]) => `${stack} ${Math.round(micros)}`).join('\n');
const svg = spawnSync(flamegraph, ['--title', title, '--countname', 'µs', '--minwidth', '0.2', '--width', '1600'], {
  input: lines,
  maxBuffer: 64 * 1024 * 1024,
});
if (svg.status !== 0) {
  process.stderr.write(svg.stderr);
  process.exit(svg.status ?? 1);
}
writeFileSync(output, svg.stdout);
process.stderr.write(`[flamegraph] ${output}: ${folded.size} stacks, ${(svg.stdout.length / 1024).toFixed(0)} kB\n`);
