// `pnpm --filter @crm/contact-service rebuild` (the chart's rebuild Job): empties the read model and replays the
// event log into it, with progress output (the kit's rebuild command). It needs MongoDB and PostgreSQL only. Safe
// while the service runs (rows only ever move to newer versions, whoever writes them); the service's lists show
// fewer rows until the replay has passed them.
import '@crm/service-kit/otel';
import { rebuildFromEventLog, runRebuildCommand, type RebuildCommandOptions } from '@crm/service-kit';
import { createContactStore, recordStores } from './store/contact-store';
import { contactReadModelMigrations, READ_MODEL_TABLES } from './store/read-model/migrations';
import type { ContactReadModel } from './store/read-model/rows';

function options(env: NodeJS.ProcessEnv, print?: (line: string) => void): RebuildCommandOptions<ContactReadModel> {
  return {
    service: 'contact',
    migrations: contactReadModelMigrations,
    emptyFirst: READ_MODEL_TABLES,
    // The store as the service builds it; a replay runs only its projections.
    stores: async (deps) =>
      recordStores(
        await createContactStore({
          ...deps,
          namespace: env.NATS_NAMESPACE ?? '',
          defaultRegion: env.CONTACT_DEFAULT_REGION ?? 'US',
        }),
      ),
    env,
    print,
  };
}

export function rebuildContactReadModel(
  env: NodeJS.ProcessEnv = process.env,
  print?: (line: string) => void,
): Promise<number> {
  return rebuildFromEventLog(options(env, print));
}

if (require.main === module) runRebuildCommand(options(process.env));
