import { parse } from 'csv-parse/sync';
import { ContactHarness, contactInput, email, failure, type Api } from './support/contact-harness';

const CONTACTS_CSV = [
  'First,Last,E-mail,Phone,Stage,Labels,Budget',
  'Ada,Lovelace,ada@import.example,+1 415 555 0101,customer,vip;math,100',
  'Zoë,Saldaña,"ZOE@import.example",(415) 555-0102,lead,film,200',
  'Bad,Row,not-an-email,,lead,,',
  'Charles,Babbage,charles@import.example,,opportunity,engines,nope',
  'Alan,Turing,alan@import.example,,lead,,',
  'Grace,Hopper,grace@import.example,,evangelist,"navy;cobol",',
  'No,Email,,,lead,,',
].join('\n');

const MAPPING = [
  { column: 'First', field: 'first_name' },
  { column: 'Last', field: 'last_name' },
  { column: 'E-mail', field: 'email' },
  { column: 'Phone', field: 'phone' },
  { column: 'Stage', field: 'lifecycle_stage' },
  { column: 'Labels', field: 'tags' },
  { column: 'Budget', field: 'custom_fields.budget' },
];

describe('import and export on the real servers', () => {
  const h = new ContactHarness();
  let rep1: Api;
  let rep3: Api;
  let admin: Api;

  beforeAll(async () => {
    // Small batches, so that a 7-row file checkpoints several times and progress moves.
    await h.start({ CONTACT_IMPORT_BATCH_SIZE: '2' });
    [rep1, rep3, admin] = await Promise.all([h.as('acme-rep1'), h.as('acme-rep3'), h.as('acme-admin')]);
    await admin.settings.setCustomFieldDefinitions({
      entity: 'contact',
      expectedVersion: 0,
      definitions: [
        {
          key: 'budget',
          label: 'Budget',
          type: 'number',
          required: false,
          archived: false,
          description: '',
          options: [],
          integer: false,
        },
      ],
    });
  });

  afterAll(() => h.stop());

  it('imports a CSV with a mapping, reports errors per row, and a second run of the same file creates no duplicates', async () => {
    const queued = await rep1.startImport(
      { entity: 'contact', fileName: 'people.csv', mapping: MAPPING, matchBy: 'email' },
      CONTACTS_CSV,
      17,
    );
    expect(queued).toMatchObject({ status: 'queued', rowsTotal: 7, fileName: 'people.csv', ownerId: rep1.userId });
    const first = await h.waitForImport(rep1, queued.id);
    expect(first).toMatchObject({
      status: 'completed',
      rowsDone: 7,
      rowsTotal: 7,
      createdCount: 4,
      updatedCount: 0,
      errorCount: 3,
    });
    expect(first.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'emails[0].address'],
      [4, 'customFields.budget'],
      [7, 'email'],
    ]);
    const { errors } = await rep1.imports.listImportErrors({ id: queued.id, page: undefined });
    expect(errors.map((e) => e.row)).toEqual([3, 4, 7]);

    const listed = await rep1.contacts.listContacts({ filter: undefined, page: { limit: 200, cursor: '' } });
    expect(listed.contacts).toHaveLength(4);
    const zoe = listed.contacts.find((c) => c.firstName === 'Zoë');
    expect(zoe).toMatchObject({
      lastName: 'Saldaña',
      ownerId: rep1.userId,
      lifecycleStage: 'lead',
      tags: ['film'],
      customFields: { budget: 200 },
    });
    expect(zoe?.emails[0]?.address).toBe('zoe@import.example');
    expect(zoe?.phones[0]?.number).toBe('+14155550102');
    expect((await rep1.contacts.searchContacts({ query: 'zoe', limit: 5 })).hits.map((h) => h.contact?.id)).toEqual([
      zoe?.id,
    ]);
    expect(await h.eventCount('contact.created')).toBe(4);

    const again = await rep1.startImport(
      { entity: 'contact', fileName: 'people.csv', mapping: MAPPING, matchBy: 'email' },
      CONTACTS_CSV,
    );
    const second = await h.waitForImport(rep1, again.id);
    expect(second).toMatchObject({
      status: 'completed',
      rowsDone: 7,
      createdCount: 0,
      updatedCount: 4,
      unchangedCount: 4,
      errorCount: 3,
    });
    expect(
      (await rep1.contacts.listContacts({ filter: undefined, page: { limit: 200, cursor: '' } })).contacts,
    ).toHaveLength(4);
    expect(await h.eventCount('contact.created')).toBe(4);

    const changed = CONTACTS_CSV.replace(
      'Alan,Turing,alan@import.example,,lead',
      'Alan,Turing,alan@import.example,,customer',
    );
    const third = await h.waitForImport(
      rep1,
      (await rep1.startImport({ entity: 'contact', mapping: MAPPING, matchBy: 'email' }, changed)).id,
    );
    expect(third).toMatchObject({ createdCount: 0, updatedCount: 4, unchangedCount: 3 });
    const alan = (await rep1.contacts.searchContacts({ query: 'alan', limit: 5 })).hits[0]?.contact;
    expect(alan).toMatchObject({ lifecycleStage: 'customer', version: 2 });

    const jobs = await rep1.imports.listImports({ page: undefined });
    expect(jobs.jobs.map((j) => j.id)).toEqual([third.id, second.id, first.id]);
    expect((await failure(rep3.imports.getImport({ id: first.id }))).code).toBe('NOT_FOUND');
  });

  it('matches an existing contact created through the API by email, and by external id', async () => {
    const existing = (
      await rep1.contacts.createContact({
        contact: contactInput({ firstName: 'Pre', lastName: 'Existing', emails: [email('pre@import.example')] }),
        allowDuplicates: false,
      })
    ).contact!;
    const csv = 'first_name,last_name,email,title\nPre,Existing,pre@import.example,CTO\n';
    const job = await h.waitForImport(rep1, (await rep1.startImport({ entity: 'contact', matchBy: 'email' }, csv)).id);
    expect(job).toMatchObject({ createdCount: 0, updatedCount: 1, unchangedCount: 0 });
    expect((await rep1.contacts.getContact({ id: existing.id, includeDeleted: false })).contact).toMatchObject({
      title: 'CTO',
      version: 2,
    });

    const byExt = 'external_id,first_name\next-1,Ext\n';
    await h.waitForImport(rep1, (await rep1.startImport({ entity: 'contact', matchBy: 'external_id' }, byExt)).id);
    const rerun = await h.waitForImport(
      rep1,
      (await rep1.startImport({ entity: 'contact', matchBy: 'external_id' }, byExt.replace('Ext', 'Extra'))).id,
    );
    expect(rerun).toMatchObject({ createdCount: 0, updatedCount: 1 });
    expect((await rep1.contacts.searchContacts({ query: 'extra', limit: 5 })).hits).toHaveLength(1);
  });

  it('imports companies by domain, then contacts linked to them by company domain', async () => {
    const companies =
      'name,website,industry,annual_revenue_minor,currency\nGlobal Dynamics,https://www.globaldynamics.example,aerospace,500000,USD\nBroken,,x,abc,USD\n';
    const job = await h.waitForImport(
      rep1,
      (await rep1.startImport({ entity: 'company', matchBy: 'domain' }, companies)).id,
    );
    expect(job).toMatchObject({ createdCount: 1, errorCount: 1 });
    expect(job.errors[0]).toMatchObject({ row: 2, field: 'annual_revenue_minor' });
    const again = await h.waitForImport(
      rep1,
      (await rep1.startImport({ entity: 'company', matchBy: 'domain' }, companies)).id,
    );
    expect(again).toMatchObject({ createdCount: 0, updatedCount: 1, unchangedCount: 1 });
    const contacts =
      'first_name,email,company_domain\nDana,dana@gd.example,globaldynamics.example\nEve,eve@gd.example,nowhere.example\n';
    const linked = await h.waitForImport(rep1, (await rep1.startImport({ entity: 'contact' }, contacts)).id);
    expect(linked).toMatchObject({ createdCount: 1, errorCount: 1 });
    expect(linked.errors[0]).toMatchObject({ row: 2, field: 'company_domain' });
    expect((await rep1.contacts.searchContacts({ query: 'dana', limit: 5 })).hits[0]?.contact?.companyName).toBe(
      'Global Dynamics',
    );
  });

  it('refuses a bad header and an unknown mapping target before storing anything', async () => {
    expect((await failure(rep1.startImport({ entity: 'deal' }, 'a\n1\n'))).code).toBe('INVALID_ARGUMENT');
    const unknown = await failure(
      rep1.startImport({ entity: 'contact', mapping: [{ column: 'x', field: 'shoe_size' }] }, 'x\n1\n'),
    );
    expect(unknown.violations[0]).toMatchObject({ field: 'header.mapping[0].field' });
  });

  it('exports CSV and NDJSON scoped by visibility; the CSV imports back without changes', async () => {
    await rep3.contacts.createContact({
      contact: contactInput({ firstName: 'Westerner', emails: [email('west@import.example')] }),
      allowDuplicates: false,
    });
    const csv = await rep1.exportContacts('csv');
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.first_name)).toContain('Zoë');
    expect(rows.map((r) => r.first_name)).not.toContain('Westerner');
    const ada = rows.find((r) => r.first_name === 'Ada');
    expect(ada).toMatchObject({
      email: 'ada@import.example',
      phone: '+14155550101',
      tags: 'vip;math',
      'custom_fields.budget': '100',
    });

    const ndjson = await admin.exportContacts('ndjson');
    const records = ndjson
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { firstName: string });
    expect(records.map((r) => r.firstName)).toEqual(expect.arrayContaining(['Westerner', 'Ada']));
    expect(records).toHaveLength(rows.length + 1);

    const roundTrip = await h.waitForImport(
      rep1,
      (await rep1.startImport({ entity: 'contact', matchBy: 'email' }, csv)).id,
    );
    // Rows are matched by email: the one contact imported by external id only has none to match on.
    const withoutEmail = rows.filter((r) => !r.email).map((r) => r.first_name);
    expect(withoutEmail).toEqual(['Extra']);
    expect(roundTrip).toMatchObject({
      createdCount: 0,
      errorCount: 1,
      updatedCount: rows.length - 1,
      unchangedCount: rows.length - 1,
    });

    const companies = await rep1.exportCompanies('csv');
    expect(companies.split('\n')[0]).toContain('annual_revenue_minor');
    expect(companies).toContain('globaldynamics.example');
    expect((await failure(rep1.exportContacts('xml'))).code).toBe('INVALID_ARGUMENT');
  });
});
