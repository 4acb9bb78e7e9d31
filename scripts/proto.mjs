#!/usr/bin/env node
// `generate` regenerates packages/proto/src from proto/ with buf + ts-proto (both from npm, so no internet is
// needed). `check` fails when buf lint fails, when the committed code is stale, or when a change breaks the
// previous commit's contracts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const protoDir = join(root, 'proto');
const outDir = join(root, 'packages/proto/src');
const protosOutDir = join(root, 'packages/proto/protos');
const binDir = join(root, 'packages/proto/node_modules/.bin');
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH}` };

function buf(args, cwd = protoDir) {
  execFileSync(join(binDir, 'buf'), args, { cwd, env, stdio: 'inherit' });
}

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

function staleFiles(expectedDir, actualDir) {
  const expected = listFiles(expectedDir);
  const actual = listFiles(actualDir);
  const differing = expected.filter(
    (f) => !actual.includes(f) || !readFileSync(join(expectedDir, f)).equals(readFileSync(join(actualDir, f))),
  );
  const extra = actual.filter((f) => !expected.includes(f));
  return [...differing, ...extra];
}

function previousCommitHasProto() {
  try {
    execFileSync('git', ['cat-file', '-e', 'HEAD~1:proto/buf.yaml'], { cwd: root, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function generate() {
  // buf writes plugin output relative to -o; generate next to the target, then swap it in.
  const scratch = mkdtempSync(join(tmpdir(), 'crm-proto-'));
  const genRoot = join(scratch, 'src');
  buf(['generate', '--template', 'buf.gen.yaml', '-o', scratch], protoDir);
  cpSync(join(scratch, 'gen'), genRoot, { recursive: true });
  // The .proto sources ship with the package, for gRPC reflection.
  cpSync(protoDir, join(genRoot, '..', 'protos'), {
    recursive: true,
    filter: (f) => statSync(f).isDirectory() || f.endsWith('.proto'),
  });
  return { scratch, genRoot, protosRoot: join(genRoot, '..', 'protos') };
}

const command = process.argv[2] ?? 'generate';
buf(['lint']);
if (command === 'generate') {
  const { scratch, genRoot, protosRoot } = generate();
  rmSync(outDir, { recursive: true, force: true });
  cpSync(genRoot, outDir, { recursive: true });
  rmSync(protosOutDir, { recursive: true, force: true });
  cpSync(protosRoot, protosOutDir, { recursive: true });
  rmSync(scratch, { recursive: true, force: true });
  console.log(`[proto] generated ${listFiles(outDir).length} files into packages/proto/src`);
} else if (command === 'check') {
  const { scratch, genRoot, protosRoot } = generate();
  const stale = [...staleFiles(genRoot, outDir), ...staleFiles(protosRoot, protosOutDir).map((f) => `protos/${f}`)];
  rmSync(scratch, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`[proto] generated code is stale; run \`pnpm proto\` and commit:\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
  if (previousCommitHasProto()) buf(['breaking', '--against', `${root}.git#ref=HEAD~1,subdir=proto`]);
  console.log('[proto] lint ok, generated code up to date, no breaking change against HEAD~1');
} else {
  console.error('usage: node scripts/proto.mjs generate|check');
  process.exit(2);
}
