#!/usr/bin/env node
// Benchmark (not a test), issue 9: the time from an acknowledged contact write to its read-model row as another
// instance sees it, at a sustained write rate. Two contact instances (separate processes, built dist/main.js) share
// the stores; writes (creates with an email, and title PATCHes of contacts created earlier) go to instance A over
// gRPC with real tokens at a fixed rate (open loop); on each acknowledgement a separate connection pool (another
// reader of the read model, as instance B is) polls for the row at that version. Also samples the CONTACT stream's
// read-model consumer backlog every second (the projection must keep up) and how long it takes to drain after the
// load (the loop is the test kit's measureProjectionLag, shared with the pipeline's). Needs `pnpm build` and
// `pnpm infra up`.
//   BENCH_RATE (200 writes/s)  BENCH_SECONDS (300; e.g. 30 for a quick run)  BENCH_MAX_IN_FLIGHT (256)
import { createRequire } from 'node:module';
// The stack runner the pipeline's benchmarks use: services as processes on fresh databases and a fresh namespace.
import { infra, log, run, startStack, token } from '../../pipeline/bench/lib/stack.mjs';

const require = createRequire(import.meta.url);
const { credentials, Metadata } = require('@grpc/grpc-js');
const { ContactServiceClient } = require('@crm/proto/crm/contact/v1/contact');
const kit = require('@crm/service-kit');
const { measureProjectionLag, projectionLagReport } = require('@crm/testkit');
const { contactReadModelMigrations } = require('../dist/store/read-model/migrations.js');

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 256);
const USERS = ['acme-rep1', 'acme-rep2', 'acme-rep3', 'acme-manager'];

function unary(client, method, request, bearer) {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${bearer}`);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: new Date(Date.now() + 10_000) }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

const input = (fields) => ({
  firstName: '',
  lastName: '',
  emails: [],
  phones: [],
  title: '',
  companyId: '',
  lifecycleStage: '',
  leadSource: '',
  tags: [],
  tier: '',
  address: undefined,
  ownerId: '',
  teamId: '',
  customFields: undefined,
  externalId: '',
  ...fields,
});

run(async (onExit) => {
  const stack = await startStack({ contacts: 2, pipelines: 0 });
  onExit(() => stack.stop());
  const tokens = await Promise.all(USERS.map(token));
  const contacts = new ContactServiceClient(`127.0.0.1:${stack.contacts[0].grpc}`, credentials.createInsecure());
  onExit(async () => contacts.close());
  const observer = await kit.openReadModel({
    url: infra.postgresUrl,
    database: stack.db.contact,
    migrations: contactReadModelMigrations,
    poolSize: 20,
  });
  onExit(() => observer.close());
  const bus = await kit.connectBus({ url: infra.natsUrl, name: 'bench-contact-lag', namespace: stack.namespace });
  onExit(() => kit.drainBus(bus));
  const backlog = async () => {
    const info = await bus.jsm.consumers.info(kit.streamName(bus, 'CONTACT'), 'contact-read-model');
    return info.num_pending + info.num_ack_pending;
  };

  // Every second write is a title PATCH of a contact written earlier (at the version acknowledged), the rest creates.
  const write = async (n, contact) => {
    const bearer = contact?.bearer ?? tokens[n % tokens.length];
    const answer = contact
      ? await unary(
          contacts,
          'updateContact',
          {
            id: contact.id,
            expectedVersion: contact.version,
            contact: input({ title: `Title ${n}` }),
            updateMask: ['title'],
            allowDuplicates: false,
          },
          bearer,
        )
      : await unary(
          contacts,
          'createContact',
          {
            contact: input({
              firstName: 'Lag',
              lastName: `Writer ${n}`,
              emails: [{ address: `lag.${n}@lag.example`, primary: true, label: '' }],
            }),
            allowDuplicates: false,
          },
          bearer,
        );
    return { id: answer.contact.id, version: answer.contact.version, bearer };
  };
  const rowVersion = async (id) =>
    (await observer.db.selectFrom('contacts').select('version').where('id', '=', id).executeTakeFirst())?.version;

  log(`two contact instances up (namespace ${stack.namespace}); ${RATE} writes/s for ${SECONDS} s`);
  const result = await measureProjectionLag({
    rate: RATE,
    seconds: SECONDS,
    maxInFlight: MAX_IN_FLIGHT,
    write,
    rowVersion,
    backlog,
    log,
  });
  console.log(projectionLagReport('contact', result));
});
