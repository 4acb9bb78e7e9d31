import { CompanyChanged, ActivityLogged } from '@crm/proto/crm/contact/v1/events';
import type { CompanyInput } from '@crm/proto/crm/contact/v1/company';
import type { ActivityInput } from '@crm/proto/crm/contact/v1/activity';
import { ContactHarness, contactInput, email, failure, type Api } from './support/contact-harness';

function companyInput(overrides: Partial<CompanyInput>): CompanyInput {
  return {
    name: '',
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
    ...overrides,
  };
}

function activityInput(overrides: Partial<ActivityInput>): ActivityInput {
  return {
    type: 'note',
    contactId: '',
    companyId: '',
    dealId: '',
    ticketId: '',
    subject: '',
    body: '',
    occurredAt: undefined,
    call: undefined,
    email: undefined,
    meeting: undefined,
    ...overrides,
  };
}

describe('companies and activities on the real servers', () => {
  const h = new ContactHarness();
  let rep1: Api;
  let rep3: Api;
  let admin: Api;
  let globex: Api;

  beforeAll(async () => {
    await h.start();
    [rep1, rep3, admin, globex] = await Promise.all([
      h.as('acme-rep1'),
      h.as('acme-rep3'),
      h.as('acme-admin'),
      h.as('globex-admin'),
    ]);
  });

  afterAll(() => h.stop());

  describe('companies', () => {
    it('derives the domain from the website, keeps revenue as money, and emits company.created', async () => {
      const { company } = await rep1.companies.createCompany({
        company: companyInput({
          name: 'Initech',
          website: 'HTTPS://www.Initech.com/about',
          industry: 'software',
          size: '51-200',
          annualRevenue: { amountMinor: 1_250_000_00, currency: 'USD' },
        }),
      });
      expect(company).toMatchObject({
        name: 'Initech',
        domain: 'initech.com',
        website: 'https://www.initech.com/about',
        size: '51-200',
        annualRevenue: { amountMinor: 125_000_000, currency: 'USD' },
        ownerId: rep1.userId,
        version: 1,
      });
      const fromEmail = await rep1.companies.createCompany({
        company: companyInput({ name: 'Hooli', domain: 'gavin@Hooli.io' }),
      });
      expect(fromEmail.company?.domain).toBe('hooli.io');
      const events = await h.events('company.created');
      const payload = CompanyChanged.decode(events.find((e) => e.aggregateId === company?.id)!.payload!.value);
      expect(payload.company?.domain).toBe('initech.com');
    });

    it('validates input', async () => {
      const error = await failure(
        rep1.companies.createCompany({
          company: companyInput({
            name: '',
            size: 'huge',
            annualRevenue: { amountMinor: 5, currency: 'dollars' },
            domain: 'not a domain',
          }),
        }),
      );
      expect(error.violations.map((v) => v.field).sort()).toEqual(['annualRevenue.currency', 'domain', 'name', 'size']);
    });

    it('lists a company contacts, copies a rename onto them, and is scoped like contacts', async () => {
      const { company } = await rep1.companies.createCompany({
        company: companyInput({ name: 'Umbrella', domain: 'umbrella.example' }),
      });
      const a = (
        await rep1.contacts.createContact({
          contact: contactInput({ firstName: 'Alice', companyId: company!.id }),
          allowDuplicates: false,
        })
      ).contact!;
      await rep1.contacts.createContact({
        contact: contactInput({ firstName: 'Bob', companyId: company!.id }),
        allowDuplicates: false,
      });
      expect(a.companyName).toBe('Umbrella');
      const listed = await rep1.companies.listCompanyContacts({ companyId: company!.id, page: undefined });
      expect(listed.contacts.map((c) => c.firstName).sort()).toEqual(['Alice', 'Bob']);
      await rep1.companies.updateCompany({
        id: company!.id,
        expectedVersion: 1,
        company: companyInput({ name: 'Umbrella Corp' }),
        updateMask: ['name'],
      });
      expect((await rep1.contacts.getContact({ id: a.id, includeDeleted: false })).contact?.companyName).toBe(
        'Umbrella Corp',
      );
      const found = await rep1.contacts.searchContacts({ query: 'umbrella', limit: 10 });
      expect(found.hits.map((h) => h.contact?.firstName).sort()).toEqual(['Alice', 'Bob']);
      expect((await failure(rep3.companies.getCompany({ id: company!.id, includeDeleted: false }))).code).toBe(
        'NOT_FOUND',
      );
      expect(
        (await failure(globex.companies.listCompanyContacts({ companyId: company!.id, page: undefined }))).code,
      ).toBe('NOT_FOUND');
      expect(
        (
          await admin.companies.listCompanies({
            filter: {
              ownerId: '',
              teamId: '',
              industry: '',
              domain: '',
              parentCompanyId: '',
              updatedSince: undefined,
              includeDeleted: false,
              namePrefix: 'umbr',
              externalId: '',
            },
            page: undefined,
          })
        ).companies.map((c) => c.name),
      ).toEqual(['Umbrella Corp']);
      expect((await h.events('company.updated')).some((e) => e.aggregateId === company!.id)).toBe(true);
    });

    it('soft-deletes and restores with versions, and refuses an unknown parent', async () => {
      const { company } = await rep1.companies.createCompany({ company: companyInput({ name: 'Ephemeral' }) });
      expect(
        (
          await failure(
            rep1.companies.updateCompany({
              id: company!.id,
              expectedVersion: 1,
              company: companyInput({ parentCompanyId: 'nope' }),
              updateMask: ['parent_company_id'],
            }),
          )
        ).violations[0]?.field,
      ).toBe('parentCompanyId');
      await rep1.companies.deleteCompany({ id: company!.id, expectedVersion: 1 });
      expect((await failure(rep1.companies.getCompany({ id: company!.id, includeDeleted: false }))).code).toBe(
        'NOT_FOUND',
      );
      expect((await failure(rep1.companies.restoreCompany({ id: company!.id, expectedVersion: 1 }))).code).toBe(
        'FAILED_PRECONDITION',
      );
      const { company: restored } = await rep1.companies.restoreCompany({ id: company!.id, expectedVersion: 2 });
      expect(restored?.version).toBe(3);
      expect((await h.events('company.deleted')).some((e) => e.aggregateId === company!.id)).toBe(true);
    });
  });

  describe('activities', () => {
    it('logs notes, calls, emails and meetings, serves the timelines newest first with paging, and moves lastActivityAt', async () => {
      const { company } = await rep1.companies.createCompany({ company: companyInput({ name: 'Timeline Inc' }) });
      const contact = (
        await rep1.contacts.createContact({
          contact: contactInput({ firstName: 'Tim', emails: [email('tim@timeline.example')], companyId: company!.id }),
          allowDuplicates: false,
        })
      ).contact!;
      const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));
      await rep1.activities.logActivity({
        activity: activityInput({ contactId: contact.id, body: 'first note', occurredAt: at(0) }),
      });
      await rep1.activities.logActivity({
        activity: activityInput({
          type: 'call',
          contactId: contact.id,
          occurredAt: at(10),
          call: { direction: 'outbound', durationSeconds: 300, outcome: 'connected' },
        }),
      });
      await rep1.activities.logActivity({
        activity: activityInput({
          type: 'meeting',
          contactId: contact.id,
          subject: 'Kick-off',
          dealId: 'deal-1',
          meeting: { startAt: at(30), endAt: at(60), attendees: ['tim@timeline.example'], location: 'HQ' },
        }),
      });
      const { activity: mail } = await rep1.activities.logActivity({
        activity: activityInput({
          type: 'email',
          contactId: contact.id,
          subject: 'Proposal',
          occurredAt: at(20),
          email: { direction: 'outbound', from: 'rep@acme.example', to: ['tim@timeline.example'], cc: [] },
        }),
      });
      expect(mail).toMatchObject({ companyId: company!.id, ownerId: rep1.userId });

      const page1 = await rep1.activities.listContactTimeline({
        contactId: contact.id,
        page: { limit: 2, cursor: '' },
        types: [],
      });
      const page2 = await rep1.activities.listContactTimeline({
        contactId: contact.id,
        page: { limit: 2, cursor: page1.page!.nextCursor },
        types: [],
      });
      expect([...page1.activities, ...page2.activities].map((a) => a.type)).toEqual([
        'meeting',
        'email',
        'call',
        'note',
      ]);
      expect(page2.page?.nextCursor).toBe('');
      const calls = await rep1.activities.listContactTimeline({
        contactId: contact.id,
        page: undefined,
        types: ['call'],
      });
      expect(calls.activities.map((a) => a.call?.durationSeconds)).toEqual([300]);
      const companyTimeline = await rep1.activities.listCompanyTimeline({
        companyId: company!.id,
        page: undefined,
        types: [],
      });
      expect(companyTimeline.activities).toHaveLength(4);

      const reread = (await rep1.contacts.getContact({ id: contact.id, includeDeleted: false })).contact!;
      expect(reread.lastActivityAt).toEqual(at(30));
      // Bookkeeping, not an edit: the version the client holds stays valid.
      expect(reread.version).toBe(1);
      const logged = await h.events('activity.logged');
      const last = logged.filter((e) => ActivityLogged.decode(e.payload!.value).activity?.contactId === contact.id);
      expect(last).toHaveLength(4);
      expect(ActivityLogged.decode(last[2]!.payload!.value).contactLastActivityAt).toEqual(at(30));
    });

    it('validates type details and hides activities of contacts the caller cannot see', async () => {
      const contact = (
        await rep1.contacts.createContact({ contact: contactInput({ firstName: 'Hidden' }), allowDuplicates: false })
      ).contact!;
      const bad = await failure(
        rep1.activities.logActivity({ activity: activityInput({ type: 'call', contactId: contact.id }) }),
      );
      expect(bad.violations[0]?.field).toBe('call');
      const mismatch = await failure(
        rep1.activities.logActivity({
          activity: activityInput({
            type: 'note',
            contactId: contact.id,
            body: 'x',
            call: { direction: 'inbound', durationSeconds: 1, outcome: '' },
          }),
        }),
      );
      expect(mismatch.violations[0]?.field).toBe('call');
      const { activity } = await rep1.activities.logActivity({
        activity: activityInput({ contactId: contact.id, body: 'secret' }),
      });
      expect(
        (
          await failure(
            rep3.activities.logActivity({ activity: activityInput({ contactId: contact.id, body: 'sneaky' }) }),
          )
        ).code,
      ).toBe('NOT_FOUND');
      expect(
        (await failure(rep3.activities.listContactTimeline({ contactId: contact.id, page: undefined, types: [] })))
          .code,
      ).toBe('NOT_FOUND');
      expect((await failure(rep3.activities.getActivity({ id: activity!.id }))).code).toBe('NOT_FOUND');
      expect((await admin.activities.getActivity({ id: activity!.id })).activity?.body).toBe('secret');
    });
  });
});
