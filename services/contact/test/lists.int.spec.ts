import type { Contact } from '@crm/proto/crm/contact/v1/contact';
import { ContactHarness, contactInput, type Api } from './support/contact-harness';

const newestFirst = (a: Contact, b: Contact) =>
  (b.updatedAt?.getTime() ?? 0) - (a.updatedAt?.getTime() ?? 0) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Unfiltered lists, newest change first, page by page, checked against the contacts read one by one. */
describe('unfiltered contact and company lists on the real servers', () => {
  const h = new ContactHarness();
  let users: Record<'rep1' | 'rep3' | 'manager' | 'admin', Api>;
  const all: Contact[] = [];
  let deleted: Contact;

  /** Every page of the list, `limit` at a time, following the cursors. */
  async function everyPage(
    api: Api,
    filter: { updatedSince?: Date; includeDeleted?: boolean },
    limit: number,
  ): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '';
    do {
      const { contacts, page } = await api.contacts.listContacts({
        filter: {
          ownerId: '',
          teamId: '',
          lifecycleStage: '',
          tag: '',
          companyId: '',
          updatedSince: filter.updatedSince,
          includeDeleted: filter.includeDeleted ?? false,
        },
        page: { limit, cursor },
      });
      expect(contacts.length).toBeLessThanOrEqual(limit);
      ids.push(...contacts.map((c) => c.id));
      cursor = page?.nextCursor ?? '';
    } while (cursor);
    return ids;
  }

  /** The contacts as they are now, read one by one, newest change first. */
  async function current(api: Api, includeDeleted = false): Promise<Contact[]> {
    const found: Contact[] = [];
    for (const { id } of all) {
      const read = await api.contacts.getContact({ id, includeDeleted }).catch(() => undefined);
      if (read?.contact) found.push(read.contact);
    }
    return found.sort(newestFirst);
  }

  beforeAll(async () => {
    await h.start();
    const [rep1, rep3, manager, admin] = await Promise.all([
      h.as('acme-rep1'),
      h.as('acme-rep3'),
      h.as('acme-manager'),
      h.as('acme-admin'),
    ]);
    users = { rep1, rep3, manager, admin };
    // Seconds apart, several contacts in one second, and writes of every kind after creation.
    for (const [api, count] of [
      [rep1, 3],
      [rep3, 2],
      [manager, 2],
    ] as const) {
      for (let i = 0; i < count; i++) {
        const { contact } = await api.contacts.createContact({
          contact: contactInput({ firstName: `Slot${all.length}`, lastName: 'Walker' }),
          allowDuplicates: true,
        });
        all.push(contact as Contact);
      }
    }
    const first = all[0] as Contact;
    await rep1.contacts.updateContact({
      id: first.id,
      expectedVersion: first.version,
      contact: contactInput({ title: 'moved to the top' }),
      updateMask: ['title'],
      allowDuplicates: false,
    });
    deleted = all[3] as Contact;
    await rep3.contacts.deleteContact({ id: deleted.id, expectedVersion: deleted.version });
  });

  afterAll(() => h.stop());

  it('pages an admin through every contact, newest change first, whatever the page size', async () => {
    const expected = (await current(users.admin)).map((c) => c.id);
    expect(expected).toHaveLength(all.length - 1);
    expect(expected[0]).toBe(all[0]?.id);
    for (const limit of [1, 2, 3, 50]) expect(await everyPage(users.admin, {}, limit)).toEqual(expected);
    expect(await everyPage(users.admin, { includeDeleted: true }, 2)).toEqual(
      (await current(users.admin, true)).map((c) => c.id),
    );
  });

  it('shows a manager only their team and their own, in the same order', async () => {
    const expected = (await current(users.manager)).map((c) => c.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected).not.toContain(all[4]?.id);
    expect(await everyPage(users.manager, {}, 2)).toEqual(expected);
  });

  it('stops at updatedSince', async () => {
    const contacts = await current(users.admin);
    const since = contacts[2]?.updatedAt as Date;
    expect(await everyPage(users.admin, { updatedSince: since }, 2)).toEqual(
      contacts.filter((c) => (c.updatedAt as Date) >= since).map((c) => c.id),
    );
  });

  it('pages companies the same way, newest change first', async () => {
    const company = (name: string) => ({
      name,
      domain: '',
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
    const created: string[] = [];
    for (const name of ['Slot One', 'Slot Two', 'Slot Three']) {
      created.push(
        ((await users.rep1.companies.createCompany({ company: company(name) })).company as { id: string }).id,
      );
    }
    const first = (await users.rep1.companies.getCompany({ id: created[0] as string, includeDeleted: false }))
      .company as { version: number };
    await users.rep1.companies.updateCompany({
      id: created[0] as string,
      expectedVersion: first.version,
      company: { ...company('Slot One'), industry: 'software' },
      updateMask: ['industry'],
    });
    const pages: string[] = [];
    let cursor = '';
    do {
      const { companies, page } = await users.admin.companies.listCompanies({
        filter: {
          ownerId: '',
          teamId: '',
          industry: '',
          domain: '',
          parentCompanyId: '',
          updatedSince: undefined,
          includeDeleted: false,
          namePrefix: '',
          externalId: '',
        },
        page: { limit: 1, cursor },
      });
      pages.push(...companies.map((c) => c.id));
      cursor = page?.nextCursor ?? '';
    } while (cursor);
    expect(pages).toEqual([created[0], created[2], created[1]]);
  });
});
