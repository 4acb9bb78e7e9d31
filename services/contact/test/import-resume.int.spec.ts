import { v7 as uuidv7 } from 'uuid';
import { eventually } from '@crm/testkit';
import { EMPTY_CONTACT } from '../src/domain/contact.model';
import { deriveContactFields } from '../src/domain/contact-derived';
import type { ImportJobDoc } from '../src/store/import.repository';
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

  it('skips checkpointed rows, adopts what the interrupted batch wrote, emits each creation once and shows progress', async () => {
    const { store } = h.service;
    const principal = {
      tenantId: 'acme',
      userId: rep1.userId,
      roles: ['sales-rep' as const],
      teamIds: ['acme-east'],
      clientId: 'crm-cli',
      scopes: [],
    };
    const id = uuidv7();
    const now = new Date();
    // The dead worker had checkpointed batch 0 (rows 1-2), then inserted row 3 of batch 1 and died before its events.
    const job: ImportJobDoc = {
      _id: id,
      tenantId: 'acme',
      ownerId: rep1.userId,
      teamId: 'acme-east',
      actor: principal,
      entity: 'contact',
      fileName: 'resume.csv',
      mapping: [],
      matchBy: 'email',
      status: 'running',
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
      failureMessage: '',
      leaseOwner: 'dead-worker',
      leaseUntil: new Date(Date.now() - 1000),
      createdAt: now,
      updatedAt: now,
      startedAt: now,
      finishedAt: null,
    };
    const bytes = Buffer.from(CSV);
    await store.imports.addChunk(job, 0, bytes.subarray(0, 40));
    await store.imports.addChunk(job, 1, bytes.subarray(40));
    const fields = (first: string, address: string) => ({
      ...EMPTY_CONTACT,
      firstName: first,
      emails: [{ address, primary: true, label: '' }],
    });
    const seed = async (first: string, address: string, importBatch: string) => {
      const contactId = uuidv7();
      const f = fields(first, address);
      await store.keys.claim('acme', contactId, [{ kind: 'email', value: address }]);
      await store.contacts.insertManyRaw([
        {
          _id: contactId,
          tenantId: 'acme',
          ownerId: rep1.userId,
          teamId: 'acme-east',
          ...f,
          companyName: '',
          companyDomain: '',
          ...deriveContactFields({ ...f, companyName: '' }),
          version: 1,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
          outbox: [],
          lastActivityAt: null,
          mergedInto: '',
          mergedSources: [],
          erasedAt: null,
          importBatch,
        },
      ]);
    };
    await seed('One', 'one@resume.example', `${id}:0`);
    await seed('Two', 'two@resume.example', `${id}:0`);
    await seed('Three', 'three@resume.example', `${id}:1`);
    // Last: the worker polls, and may take the job over as soon as it exists.
    await store.imports.jobs.insertOne(job);

    h.service.worker.nudge();
    const done = await h.waitForImport(rep1, id);
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
    // Rows 1-2 were published by the dead worker's batch (not here); Three (adopted) and Four to Six are published now, once.
    const created = await eventually(async () => {
      const events = await h.events('contact.created');
      return events.length >= 4 ? events : undefined;
    });
    const ids = new Map(all.contacts.map((c) => [c.id, c.firstName]));
    expect(created.map((e) => ids.get(e.aggregateId)).sort()).toEqual(['Five', 'Four', 'Six', 'Three']);
    expect(await store.imports.chunk(id, 0)).toBeUndefined();
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
