import { sql } from 'kysely';
import { rebuildContactReadModel } from '../src/rebuild';
import { READ_MODEL_TABLES } from '../src/store/read-model/migrations';
import { ContactHarness, contactInput, email, phone, type Api } from './support/contact-harness';

const company = (name: string, domain = '') => ({
  name,
  domain,
  website: '',
  industry: '',
  size: '',
  annualRevenue: undefined,
  address: undefined,
  parentCompanyId: '',
  ownerId: '',
  teamId: '',
  customFields: undefined,
  externalId: '',
});

const note = (contactId: string, body: string, occurredAt?: Date) => ({
  activity: {
    type: 'note',
    contactId,
    companyId: '',
    dealId: '',
    ticketId: '',
    subject: '',
    body,
    occurredAt,
    call: undefined,
    email: undefined,
    meeting: undefined,
  },
});

describe('the rebuild command replays the event log into an empty read model', () => {
  const h = new ContactHarness();
  let rep1: Api;
  let manager: Api;
  let admin: Api;

  beforeAll(async () => {
    await h.start({ CONTACT_IMPORT_BATCH_SIZE: '2' });
    [rep1, manager, admin] = await Promise.all([h.as('acme-rep1'), h.as('acme-manager'), h.as('acme-admin')]);
  });

  afterAll(() => h.stop());

  /** Every row of every table, in a stable order. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const db = h.service.deps.readModel!.db;
    const tables: Record<string, unknown[]> = {};
    for (const table of READ_MODEL_TABLES) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
      tables[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return tables;
  }

  it('to the same rows the service maintained live, with progress output', async () => {
    // A bit of everything: contacts created, changed, moved, deleted, merged and erased; companies renamed;
    // activities logged and deleted; settings and custom fields; an import with row errors.
    const { company: acme } = await rep1.companies.createCompany({ company: company('Acme Rockets', 'acme.example') });
    await rep1.companies.updateCompany({
      id: acme!.id,
      expectedVersion: 1,
      company: company('Acme Rockets & Co'),
      updateMask: ['name'],
    });
    const ada = (
      await rep1.contacts.createContact({
        contact: contactInput({
          firstName: 'Ada',
          lastName: 'Lovelace',
          emails: [email('ada@rebuild.example')],
          phones: [phone('+1 415 555 0111')],
          companyId: acme!.id,
          tags: ['math'],
        }),
        allowDuplicates: false,
      })
    ).contact!;
    const zoe = (
      await rep1.contacts.createContact({
        contact: contactInput({ firstName: 'Zoë', lastName: 'Saldaña', emails: [email('zoe@rebuild.example')] }),
        allowDuplicates: false,
      })
    ).contact!;
    const twin = (
      await rep1.contacts.createContact({
        contact: contactInput({ firstName: 'Ada', lastName: 'Lovelace', title: 'Countess' }),
        allowDuplicates: false,
      })
    ).contact!;
    await rep1.activities.logActivity(note(ada.id, 'first', new Date(Date.UTC(2026, 0, 1))));
    const { activity: gone } = await rep1.activities.logActivity(
      note(ada.id, 'second', new Date(Date.UTC(2026, 0, 3))),
    );
    await rep1.activities.deleteActivity({ id: gone!.id, expectedVersion: 1 });
    await rep1.activities.logActivity(note(twin.id, 'twin', new Date(Date.UTC(2026, 0, 2))));
    await rep1.contacts.mergeContacts({ targetId: ada.id, sourceId: twin.id, expectedTargetVersion: 1 });
    await manager.contacts.transferContact({
      id: zoe.id,
      expectedVersion: 1,
      newOwnerId: manager.userId,
      newTeamId: '',
    });
    await admin.contacts.eraseContact({ id: zoe.id });
    const { settings } = await admin.settings.getTenantSettings({});
    await admin.settings.updateTenantSettings({
      settings: { ...settings!, defaultPhoneRegion: 'GB' },
      expectedVersion: settings!.version,
    });
    const job = await rep1.startImport(
      { entity: 'contact', matchBy: 'email' },
      [
        'first_name,email',
        'Imported,imported@rebuild.example',
        'Broken,not-an-email',
        'Again,ada@rebuild.example',
      ].join('\n'),
    );
    const done = await h.waitForImport(rep1, job.id);
    expect(done).toMatchObject({ createdCount: 1, updatedCount: 1, errorCount: 1 });
    for (const store of [h.service.store.contacts, h.service.store.activities, h.service.store.imports])
      await store.drain();

    const live = await snapshot();
    expect(live.contacts).toHaveLength(4);
    expect(live.contact_search_words!.length).toBeGreaterThan(10);
    expect(live.import_errors).toHaveLength(1);
    expect(JSON.stringify(live.contacts)).toContain('2026-01-02');

    const config = h.service.deps.config;
    const lines: string[] = [];
    const replayed = await rebuildContactReadModel(
      {
        SERVICE_NAME: 'contact',
        LOG_LEVEL: 'error',
        MONGODB_URL: config.MONGODB_URL,
        MONGODB_DB: config.MONGODB_DB,
        POSTGRES_URL: config.POSTGRES_URL,
        POSTGRES_DB: config.POSTGRES_DB,
        NATS_URL: config.NATS_URL,
        OIDC_ISSUER: config.OIDC_ISSUER,
        OIDC_CLIENT_ID: config.OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET: config.OIDC_CLIENT_SECRET,
      },
      (line) => lines.push(line),
    );
    expect(replayed).toBeGreaterThan(20);
    expect(lines[0]).toContain('rebuilding read model');
    expect(lines.some((l) => /contacts: \d+\/\d+ events/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^done: \d+ events replayed/);
    expect(await snapshot()).toEqual(live);
  });
});
