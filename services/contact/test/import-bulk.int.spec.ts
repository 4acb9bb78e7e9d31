import { eventually } from '@crm/testkit';
import { ContactHarness, contactInput, email, type Api } from './support/contact-harness';

// One batch of 250 rows: several bulk-insert chunks (of 100) for claims, events and snapshots, with duplicates of
// a row of the file in other chunks, a row matching a contact created through the API (the read model's hint),
// and a row whose phone another contact holds.
const ROWS = 250;
const phoneOf = (i: number) => `+1415555${String(1000 + i).padStart(4, '0')}`;

function bulkCsv(): string {
  const lines = ['first_name,email,phone,title'];
  for (let i = 1; i <= ROWS; i++) {
    if (i === 130 || i === 220) lines.push(`Again${i},p5@bulk.example,,Title ${i}`);
    else if (i === 200) lines.push('Known,known@bulk.example,,Imported');
    else if (i === 210) lines.push(`Clash,p${i}@bulk.example,+14155550999,`);
    else lines.push(`P${i},p${i}@bulk.example,${phoneOf(i)},`);
  }
  return lines.join('\n');
}

describe('a bulk contact import batch on the real servers', () => {
  const h = new ContactHarness();
  let rep1: Api;

  beforeAll(async () => {
    await h.start({ CONTACT_IMPORT_BATCH_SIZE: '1000' });
    rep1 = await h.as('acme-rep1');
  });

  afterAll(() => h.stop());

  it('creates each new contact once across chunks, updates duplicates and known contacts, reports clashes, and publishes each write once; a rerun creates nothing', async () => {
    const known = (
      await rep1.contacts.createContact({
        contact: contactInput({ firstName: 'Known', emails: [email('known@bulk.example')] }),
        allowDuplicates: false,
      })
    ).contact!;
    const phoneHolder = (
      await rep1.contacts.createContact({
        contact: contactInput({
          firstName: 'Phone',
          emails: [email('holder@bulk.example')],
          phones: [{ number: '+14155550999', primary: true, label: '' }],
        }),
        allowDuplicates: false,
      })
    ).contact!;

    const csv = bulkCsv();
    const job = await h.waitForImport(rep1, (await rep1.startImport({ entity: 'contact', matchBy: 'email' }, csv)).id);
    // 250 rows: 2 repeat p5 and 1 matches Known (updates), 1 clashes on its phone, 246 are new.
    expect(job).toMatchObject({ status: 'completed', rowsDone: ROWS, createdCount: 246, updatedCount: 3 });
    expect(job.errorCount).toBe(1);
    const { errors } = await rep1.imports.listImportErrors({ id: job.id, page: undefined });
    expect(errors.map((e) => [e.row, e.field])).toEqual([[210, 'phone']]);

    const again = (await rep1.contacts.searchContacts({ query: 'p5@bulk.example', limit: 5 })).hits;
    expect(again).toHaveLength(1);
    expect(again[0]?.contact).toMatchObject({ firstName: 'Again220', title: 'Title 220', version: 3 });
    expect((await rep1.contacts.getContact({ id: known.id, includeDeleted: false })).contact).toMatchObject({
      title: 'Imported',
      version: 2,
    });
    // The clashing row's email was given back: nobody holds it, and the phone stays its holder's.
    expect((await rep1.contacts.searchContacts({ query: 'p210@bulk.example', limit: 5 })).hits).toHaveLength(0);
    expect((await rep1.contacts.getContact({ id: phoneHolder.id, includeDeleted: false })).contact?.version).toBe(1);

    // Each new contact on the stream once, each update once.
    const created = await eventually(async () => {
      const events = (await h.events('contact.created')).filter((e) => e.aggregateId !== known.id);
      return events.length >= 247 ? events : undefined;
    });
    const createdIds = created.map((e) => e.aggregateId).filter((id) => id !== phoneHolder.id);
    expect(createdIds).toHaveLength(246);
    expect(new Set(createdIds).size).toBe(246);
    const p5 = again[0]!.contact!.id;
    const updated = await h.events('contact.updated');
    expect(updated.filter((e) => e.aggregateId === p5).map((e) => e.aggregateVersion)).toEqual([2, 3]);
    expect(updated.filter((e) => e.aggregateId === known.id).map((e) => e.aggregateVersion)).toEqual([2]);

    // The same file again: every key is known (read back, not inserted); nothing is created, nothing published twice.
    const rerun = await h.waitForImport(
      rep1,
      (await rep1.startImport({ entity: 'contact', matchBy: 'email' }, csv)).id,
    );
    expect(rerun).toMatchObject({ status: 'completed', createdCount: 0, errorCount: 1 });
    expect(rerun.updatedCount).toBe(ROWS - 1);
    await h.service.store.contacts.drain();
    expect((await h.events('contact.created')).length).toBe(created.length + 1);
  });
});
