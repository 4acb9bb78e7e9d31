#!/usr/bin/env node
// `pnpm platform backup [--out DIR] [--services a,b]` and `pnpm platform restore --from DIR [--replace]`, against
// the servers of the environment (MONGODB_URL, POSTGRES_URL, NATS_URL, NATS_NAMESPACE; local defaults).
import { parseArgs } from 'node:util';
import { planFromEnv, PLATFORM_SERVICES } from './backup/backup-plan';
import { backupPlatform, restorePlatform } from './backup/platform-backup';

const USAGE = 'usage: pnpm platform backup [--out DIR] [--services contact,pipeline] | restore --from DIR [--replace]';

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      from: { type: 'string' },
      services: { type: 'string' },
      replace: { type: 'boolean', default: false },
    },
  });
  const progress = (message: string): void => void process.stderr.write(`[platform] ${message}\n`);
  const services = values.services ? values.services.split(',').filter(Boolean) : PLATFORM_SERVICES;
  const plan = planFromEnv(process.env, services);
  const command = positionals[0];
  if (command === 'backup') {
    const out = values.out ?? `backups/crm-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const manifest = await backupPlatform(plan, out, progress);
    const streams = Object.values(manifest.streams).reduce((n, s) => n + s.messages, 0);
    progress(
      `backup in ${out}: ${Object.keys(manifest.mongo).length} MongoDB and ${manifest.postgres.length} PostgreSQL databases, ${streams} stream messages`,
    );
  } else if (command === 'restore') {
    if (!values.from) throw new Error(USAGE);
    await restorePlatform(plan, values.from, { replace: values.replace, progress });
    progress(`restored from ${values.from}`);
  } else throw new Error(USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`[platform] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
