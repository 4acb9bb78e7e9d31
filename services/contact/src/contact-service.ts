// Wiring: the store, the use cases, the gRPC services and the import worker, on the kit's runtime.
import { ActivityServiceService } from '@crm/proto/crm/contact/v1/activity';
import { CompanyServiceService } from '@crm/proto/crm/contact/v1/company';
import { ContactServiceService } from '@crm/proto/crm/contact/v1/contact';
import { SettingsServiceService } from '@crm/proto/crm/contact/v1/settings';
import { runService, STREAMS, type RunningService, type ServiceDeps } from '@crm/service-kit';
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
import { createContactStore, recordStores, type ContactStore } from './store/contact-store';
import { contactReadModelMigrations } from './store/read-model/migrations';
import type { ContactReadModel } from './store/read-model/rows';

export const CONTACT_STREAM = STREAMS.CONTACT;
export { CONTACT_PROTOS };

export interface StartOptions {
  /** What ends the process after shutdown; tests pass a no-op. */
  exit?: (code: number) => void;
}

export interface RunningContactService extends RunningService<ContactReadModel> {
  store: ContactStore;
  worker: ImportWorker;
}

export async function startContactService(
  config: ContactConfig,
  options: StartOptions = {},
): Promise<RunningContactService> {
  let store: ContactStore | undefined;
  let worker: ImportWorker | undefined;
  const running = await runService<ContactReadModel>({
    config,
    streams: [CONTACT_STREAM],
    reflectionProtos: CONTACT_PROTOS,
    readModel: { migrations: contactReadModelMigrations },
    exit: options.exit,
    wire: async (deps) => {
      store = await contactStoreOf(deps, config);
      worker = wire(deps, store, config);
      return { stores: recordStores(store) };
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

export function contactStoreOf(deps: ServiceDeps<ContactReadModel>, config: ContactConfig): Promise<ContactStore> {
  if (!deps.readModel) throw new Error('the contact service needs its read model (POSTGRES_URL)');
  return createContactStore({
    mongo: deps.mongo,
    events: deps.events,
    publisher: deps.publisher,
    db: deps.readModel.db,
    log: deps.log,
    namespace: deps.config.NATS_NAMESPACE,
    defaultRegion: config.CONTACT_DEFAULT_REGION,
  });
}

function wire(deps: ServiceDeps<ContactReadModel>, store: ContactStore, config: ContactConfig): ImportWorker {
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
