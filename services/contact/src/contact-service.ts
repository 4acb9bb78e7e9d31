// Wiring: the store, the use cases, the gRPC services and the import worker, on the kit's runtime.
import { ActivityServiceService } from '@crm/proto/crm/contact/v1/activity';
import { CompanyServiceService } from '@crm/proto/crm/contact/v1/company';
import { ContactServiceService } from '@crm/proto/crm/contact/v1/contact';
import { SettingsServiceService } from '@crm/proto/crm/contact/v1/settings';
import { runService, type RunningService, type ServiceDeps } from '@crm/service-kit';
import { ActivityService } from './app/activity.service';
import { CompanyService } from './app/company.service';
import { ContactService } from './app/contact.service';
import { ExportService } from './app/export.service';
import { ImportService } from './app/import.service';
import { ImportWorker } from './app/import.worker';
import { MergeService } from './app/merge.service';
import { PrivacyService } from './app/privacy.service';
import { SettingsService } from './app/settings.service';
import type { ContactConfig } from './config';
import { CONTACT_PROTOS } from './contact-protos';
import { activityHandlers } from './rpc/activity.rpc';
import { companyHandlers } from './rpc/company.rpc';
import { contactHandlers } from './rpc/contact.rpc';
import { registerImportExport } from './rpc/import.rpc';
import { settingsHandlers } from './rpc/settings.rpc';
import { createContactStore, type ContactStore } from './store/contact-store';

export const CONTACT_STREAM = { name: 'CONTACT', subjects: ['crm.contact.>', 'crm.company.>', 'crm.activity.>'] };
export { CONTACT_PROTOS };

export interface StartOptions {
  /** What ends the process after shutdown; tests pass a no-op. */
  exit?: (code: number) => void;
}

export interface RunningContactService extends RunningService {
  store: ContactStore;
  worker: ImportWorker;
}

export async function startContactService(
  config: ContactConfig,
  options: StartOptions = {},
): Promise<RunningContactService> {
  let store: ContactStore | undefined;
  let worker: ImportWorker | undefined;
  const running = await runService({
    config,
    streams: [CONTACT_STREAM],
    reflectionProtos: CONTACT_PROTOS,
    exit: options.exit,
    wire: async (deps) => {
      store = await createContactStore(deps.mongo, {
        locks: deps.locks,
        relay: deps.relay,
        namespace: deps.config.NATS_NAMESPACE,
        defaultRegion: config.CONTACT_DEFAULT_REGION,
      });
      worker = wire(deps, store, config);
      return {
        outboxStores: [
          store.contacts.outboxStore,
          store.companies.outboxStore,
          store.activities.outboxStore,
          store.batchOutboxStore,
        ],
      };
    },
  });
  if (!store || !worker) throw new Error('contact service wiring did not run');
  const importWorker = worker;
  const shutdown = async (reason: string) => {
    // Stop taking import batches first; a batch in flight finishes and checkpoints.
    await importWorker.stop();
    await running.shutdown(reason);
  };
  return { ...running, shutdown, store, worker };
}

function wire(deps: ServiceDeps, store: ContactStore, config: ContactConfig): ImportWorker {
  const contacts = new ContactService(store);
  const companies = new CompanyService(store, contacts);
  const worker = new ImportWorker(store, contacts, companies, deps.log, {
    pollMs: config.CONTACT_IMPORT_POLL_MS,
    batchSize: config.CONTACT_IMPORT_BATCH_SIZE,
    leaseMs: config.CONTACT_IMPORT_LEASE_MS,
  });
  // The kit's GrpcServer refuses requests with fields the contracts (CONTACT_PROTOS) do not define.
  deps.grpc.addService(
    'crm.contact.v1.ContactService',
    ContactServiceService,
    contactHandlers(contacts, new MergeService(store), new PrivacyService(store)),
  );
  deps.grpc.addService('crm.contact.v1.CompanyService', CompanyServiceService, companyHandlers(companies));
  deps.grpc.addService(
    'crm.contact.v1.ActivityService',
    ActivityServiceService,
    activityHandlers(new ActivityService(store)),
  );
  deps.grpc.addService(
    'crm.contact.v1.SettingsService',
    SettingsServiceService,
    settingsHandlers(new SettingsService(store)),
  );
  registerImportExport(deps, new ImportService(store, () => worker.nudge()), new ExportService(store));
  worker.start();
  return worker;
}
