// Wiring: the stores, the use cases, the durable timers, the consumers and the gRPC services, on the kit's runtime.
import { SlaServiceService } from '@crm/proto/crm/ticket/v1/sla';
import { SupportServiceService } from '@crm/proto/crm/ticket/v1/support';
import { TicketServiceService } from '@crm/proto/crm/ticket/v1/ticket';
import {
  DurableTimers,
  ensurePeerStream,
  keycloakTenantUsers,
  runService,
  STREAMS,
  type RunningService,
  type ServiceDeps,
} from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { AssignmentService } from './app/assignment.service';
import { CsatService } from './app/csat.service';
import { SlaAdminService, type RecomputePayload } from './app/sla-admin.service';
import { SlaContext } from './app/sla-context';
import { SupportService } from './app/support.service';
import { TicketService } from './app/ticket.service';
import { grpcContactDirectory, type ContactDirectory } from './clients/contact-directory';
import type { TicketConfig } from './config';
import { contactSyncConsumer } from './events/contact-sync.consumer';
import { slaHandlers } from './rpc/sla.rpc';
import { supportHandlers } from './rpc/support.rpc';
import { ticketHandlers } from './rpc/ticket.rpc';
import { AssignmentRotation } from './store/assignment-rotation';
import { ticketMigrations, type TicketDb } from './store/read-model';
import { TicketQueries } from './store/ticket-queries';
import { createTicketStores, type TicketStores } from './store/ticket-store';
import {
  AUTO_CLOSE_TIMER,
  RECOMPUTE_TIMER,
  SLA_TIMER,
  TicketTimerProjection,
  type TicketTimerPayload,
} from './store/ticket-timers';

/** The service's contracts, relative to the kit's PROTO_ROOT: reflection and strict decoding. */
export const TICKET_PROTOS = ['crm/ticket/v1/ticket.proto', 'crm/ticket/v1/sla.proto', 'crm/ticket/v1/support.proto'];

export interface StartOptions {
  /** What ends the process after shutdown; tests pass a no-op. */
  exit?: (code: number) => void;
  /** The service's clock (records, SLA clocks, timers); tests pin it. */
  clock?: () => Date;
}

export interface RunningTicketService extends RunningService<TicketDb> {
  stores: TicketStores;
  tickets: TicketService;
  timers: DurableTimers;
  /** Waits until timers scheduled by recent writes are stored (tests). */
  settleTimers(): Promise<void>;
}

const RECOMPUTE_PAGE = 200;

export async function startTicketService(
  config: TicketConfig,
  options: StartOptions = {},
): Promise<RunningTicketService> {
  const clock = options.clock ?? (() => new Date());
  let wired:
    | {
        stores: TicketStores;
        tickets: TicketService;
        timers: DurableTimers;
        projection: TicketTimerProjection;
        contacts: ContactDirectory;
      }
    | undefined;
  const running = await runService<TicketDb>({
    config,
    streams: [STREAMS.TICKET],
    reflectionProtos: TICKET_PROTOS,
    readModel: { migrations: ticketMigrations },
    exit: options.exit,
    wire: async (deps) => {
      const w = await wire(deps, config, clock);
      wired = w;
      return {
        stores: w.stores.all,
        consumers: [contactSyncConsumer(w.tickets)],
        // A timer handler in flight finishes its write while the stores are still open.
        stopWork: [
          { name: 'stop durable timers', run: () => w.timers.stop() },
          { name: 'finish timer scheduling', run: () => w.projection.settle() },
          { name: 'close the contact client', run: () => w.contacts.close() },
        ],
      };
    },
  });
  if (!wired) throw new Error('ticket service wiring did not run');
  const { stores, tickets, timers, projection } = wired;
  timers.start();
  return { ...running, stores, tickets, timers, settleTimers: () => projection.settle() };
}

async function wire(deps: ServiceDeps<TicketDb>, config: TicketConfig, clock: () => Date) {
  const readModel = deps.readModel;
  if (!readModel) throw new Error('the ticket service needs its read model');
  const db = readModel.db as Kysely<TicketDb>;
  await ensurePeerStream(deps.bus, STREAMS.CONTACT);
  const ref: { timers?: DurableTimers } = {};
  const timersOf = () => {
    if (!ref.timers) throw new Error('timers used before wiring finished');
    return ref.timers;
  };
  const projection = new TicketTimerProjection(db, timersOf, config.TICKET_AUTO_CLOSE_SECONDS * 1000);
  const stores = createTicketStores(
    { mongo: deps.mongo, db, events: deps.events, publisher: deps.publisher, log: deps.log, clock },
    [projection],
  );
  for (const store of [stores.policies, stores.calendars, stores.macros, stores.agents, stores.groups])
    await store.model.collection.createIndex({ tenantId: 1 });
  const namespace = config.NATS_NAMESPACE;
  const queries = new TicketQueries(db);
  const sla = new SlaContext(stores);
  const contacts = grpcContactDirectory(config.CONTACT_GRPC_URL, deps.serviceToken);
  const users = keycloakTenantUsers({ issuer: config.OIDC_ISSUER, token: deps.serviceToken });
  const support = new SupportService(stores, clock, namespace, users);
  const csat = new CsatService(stores, {
    secret: config.TICKET_CSAT_SECRET,
    ttlMs: config.TICKET_CSAT_TTL_SECONDS * 1000,
    clock,
    namespace,
  });
  const assignment = new AssignmentService(stores, queries, new AssignmentRotation(db), (tenantId, groupId) =>
    support.group(tenantId, groupId),
  );
  const tickets = new TicketService({ stores, queries, sla, contacts, clock, namespace, support, assignment, csat });
  const slaAdmin = new SlaAdminService(stores, sla, timersOf, clock, namespace);

  const timers = new DurableTimers(db as unknown as Kysely<unknown>, {
    log: deps.log,
    metrics: deps.metrics,
    clock,
    maxSleepMs: config.TICKET_TIMER_MAX_SLEEP_MS,
    // Tickets' timers fire side by side; one ticket's in due order (its warning before its breach).
    concurrency: config.TICKET_TIMER_CONCURRENCY,
    orderKey: (timer) => (timer.payload as Partial<TicketTimerPayload>).ticketId ?? timer.id,
  })
    .on(SLA_TIMER, async (timer) => {
      await tickets.recompute(timer.tenantId, (timer.payload as TicketTimerPayload).ticketId);
    })
    .on(AUTO_CLOSE_TIMER, async (timer) => {
      await tickets.autoClose(
        timer.tenantId,
        (timer.payload as TicketTimerPayload).ticketId,
        config.TICKET_AUTO_CLOSE_SECONDS * 1000,
      );
    })
    .on(RECOMPUTE_TIMER, async (timer) => {
      const { tenantId, calendarId } = timer.payload as RecomputePayload;
      // The change may have been made on another replica: read the policies and calendars afresh, once.
      sla.forget(tenantId);
      let after = '';
      for (;;) {
        const ids = await queries.openTicketIds(tenantId, after, RECOMPUTE_PAGE, calendarId || undefined);
        for (const id of ids) await tickets.recompute(tenantId, id);
        if (ids.length < RECOMPUTE_PAGE) break;
        after = ids[ids.length - 1] ?? after;
      }
    });

  ref.timers = timers;

  deps.grpc.addService('crm.ticket.v1.TicketService', TicketServiceService, ticketHandlers(tickets, support, csat));
  deps.grpc.addService('crm.ticket.v1.SlaService', SlaServiceService, slaHandlers(slaAdmin));
  deps.grpc.addService('crm.ticket.v1.SupportService', SupportServiceService, supportHandlers(support));
  return { stores, tickets, timers, projection, contacts };
}
