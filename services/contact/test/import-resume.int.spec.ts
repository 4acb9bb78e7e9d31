import { randomUUID } from 'node:crypto';
import { eventually } from '@crm/testkit';
import { importRecordId } from '../src/app/import.service';
import { EMPTY_CONTACT } from '../src/domain/contact.model';
import { contactChangedEntry } from '../src/events/contact.events';
import type { ContactDoc } from '../src/store/records';
import { ContactHarness, type Api } from './support/contact-harness';

const CSV = [
  'first_name,email',
  'One,one@resume.example',
  'Two,two@resume.example',
  'Three,three@resume.example',
  'Four,four@resume.example',
  'Five,five@resume.example',
  'Six,six@resume.example',
].join('\n');

describe('an import resumes from its checkpoint after its worker died', () => {
  const h = new ContactHarness();
  let rep1: Api;

  beforeAll(async () => {
    await h.start({ CONTACT_IMPORT_BATCH_SIZE: '2' });
    rep1 = await h.as('acme-rep1');
  });

  afterAll(() => h.stop());

  it('skips checkpointed rows, finishes what the interrupted batch stored, creates each contact once and shows progress', async () => {
    const { store } = h.service;
    const principal = {
      tenantId: 'acme',
      userId: rep1.userId,
      roles: ['sales-rep' as const],
      teamIds: ['acme-east'],
      clientId: 'crm-cli',
      scopes: [],
    };
    // The job as the dead worker left it: its file stored, batch 0 (rows 1-2) checkpointed, its lease run out.
    const receiving = await store.imports.create(
      principal,
      {
        _id: randomUUID(),
        ownerId: rep1.userId,
        teamId: 'acme-east',
        actor: principal,
        entity: 'contact',
        fileName: 'resume.csv',
        mapping: [],
        matchBy: 'email',
        status: 'receiving',
        sizeBytes: CSV.length,
        chunkCount: 2,
        rowsTotal: 6,
        rowsDone: 2,
        batchesDone: 1,
        createdCount: 2,
        updatedCount: 0,
        unchangedCount: 0,
        errorCount: 0,
        firstErrors: [],
        batchErrors: [],
        failureMessage: '',
        leaseOwner: 'dead-worker',
        leaseUntil: new Date(Date.now() - 1000),
        startedAt: new Date(),
        finishedAt: null,
      },
      () => [],
    );
    const bytes = Buffer.from(CSV);
    await store.chunks.add(receiving, 0, bytes.subarray(0, 40));
    await store.chunks.add(receiving, 1, bytes.subarray(40));
    const contact = (row: number, first: string) => ({
      _id: importRecordId(receiving, row),
      ownerId: rep1.userId,
      teamId: 'acme-east',
      ...EMPTY_CONTACT,
      firstName: first,
      emails: [{ address: `${first.toLowerCase()}@resume.example`, primary: true, label: '' }],
      companyName: '',
      companyDomain: '',
      mergedInto: '',
      mergedSources: [],
      erasedAt: null,
    });
    const claim = (row: number, first: string) =>
      store.keys.claimMany('acme', [
        { kind: 'email', value: `${first.toLowerCase()}@resume.example`, holderId: importRecordId(receiving, row) },
      ]);
    // Batch 0 was finished.
    await claim(1, 'One');
    await claim(2, 'Two');
    await store.contacts.createMany(
      principal,
      [contact(1, 'One'), contact(2, 'Two')].map((record) => ({
        record,
        messages: (state: ContactDoc) => [contactChangedEntry('contact.created', state, [], principal, h.namespace)],
      })),
    );
    // Batch 1 had claimed row 3's email and stored its event (the commit), then the worker died: no snapshot, no
    // read-model row, nothing on the stream.
    await claim(3, 'Three');
    const at = new Date();
    const three = {
      ...contact(3, 'Three'),
      tenantId: 'acme',
      version: 1,
      createdAt: at,
      updatedAt: at,
      deletedAt: null,
    };
    const batch = `dead-${randomUUID()}`;
    await h.service.deps.events.beginBatch({
      _id: batch,
      collection: 'contacts',
      tenantId: 'acme',
      at,
      size: 1,
      published: false,
    });
    await h.service.deps.events.appendMany([
      {
        _id: `${three._id}:1`,
        aggregateId: three._id,
        collection: 'contacts',
        tenantId: 'acme',
        version: 1,
        type: 'contact.created',
        at,
        actor: { userId: rep1.userId, clientId: 'crm-cli' },
        changes: [],
        state: three,
        messages: [contactChangedEntry('contact.created', three, [], principal, h.namespace)],
        published: false,
        writeId: randomUUID(),
        batch,
      },
    ]);
    expect(await store.contacts.load(three._id)).toBeUndefined();
    // Last: the worker polls, and takes the job over as soon as it is running with an expired lease.
    await store.imports.update(principal, receiving._id, receiving.version, () => ({
      set: { status: 'running' },
      messages: () => [],
    }));

    h.service.worker.nudge();
    const done = await h.waitForImport(rep1, receiving._id);
    expect(done).toMatchObject({
      status: 'completed',
      rowsDone: 6,
      rowsTotal: 6,
      createdCount: 6,
      updatedCount: 0,
      errorCount: 0,
    });
    const all = await rep1.contacts.listContacts({ filter: undefined, page: { limit: 200, cursor: '' } });
    expect(all.contacts.map((c) => c.firstName).sort()).toEqual(['Five', 'Four', 'One', 'Six', 'Three', 'Two']);
    expect(all.contacts.find((c) => c.firstName === 'Three')?.id).toBe(three._id);
    // Every contact is on the stream exactly once: One and Two from batch 0, Three finished now, Four to Six new.
    const created = await eventually(async () => {
      const events = await h.events('contact.created');
      return events.length >= 6 ? events : undefined;
    });
    const ids = new Map(all.contacts.map((c) => [c.id, c.firstName]));
    expect(created.map((e) => ids.get(e.aggregateId)).sort()).toEqual(['Five', 'Four', 'One', 'Six', 'Three', 'Two']);
    expect(await store.chunks.get(receiving._id, 0)).toBeUndefined();
  });

  it('shows rows done out of total while a larger file is processed', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `P${i},p${i}@progress.example`);
    const queued = await rep1.startImport({ entity: 'contact' }, ['first_name,email', ...rows].join('\n'), 1024);
    expect(queued.rowsTotal).toBe(40);
    const seen = new Set<number>();
    await eventually(
      async () => {
        const { job } = await rep1.imports.getImport({ id: queued.id });
        seen.add(Number(job?.rowsDone));
        return job?.status === 'completed' ? job : undefined;
      },
      60_000,
      20,
    );
    // Progress moves in batch steps (2 rows each) and never beyond the total.
    expect([...seen].every((n) => n % 2 === 0 && n <= 40)).toBe(true);
    expect(seen.has(40)).toBe(true);
    expect([...seen].some((n) => n > 0 && n < 40)).toBe(true);
  });
});
