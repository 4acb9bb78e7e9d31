import { ContactErased, ContactMerged } from '@crm/proto/crm/contact/v1/events';
import type { ActivityInput } from '@crm/proto/crm/contact/v1/activity';
import { ContactHarness, contactInput, email, failure, phone, type Api } from './support/contact-harness';

function note(contactId: string, body: string): { activity: ActivityInput } {
  return {
    activity: {
      type: 'note',
      contactId,
      companyId: '',
      dealId: '',
      ticketId: '',
      subject: '',
      body,
      occurredAt: undefined,
      call: undefined,
      email: undefined,
      meeting: undefined,
    },
  };
}

describe('duplicates, merge and privacy on the real servers', () => {
  const h = new ContactHarness();
  let rep1: Api;
  let rep3: Api;
  let admin: Api;

  beforeAll(async () => {
    await h.start();
    [rep1, rep3, admin] = await Promise.all([h.as('acme-rep1'), h.as('acme-rep3'), h.as('acme-admin')]);
  });

  afterAll(() => h.stop());

  const create = (api: Api, overrides: Parameters<typeof contactInput>[0], allowDuplicates = false) =>
    api.contacts.createContact({ contact: contactInput(overrides), allowDuplicates }).then((r) => r.contact!);

  it('scores duplicate candidates: same email, same name at the same company domain, similar name', async () => {
    const { company } = await rep1.companies.createCompany({
      company: {
        name: 'Acme Widgets',
        domain: 'widgets.example',
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
      },
    });
    const subject = await create(rep1, {
      firstName: 'Jonathan',
      lastName: 'Smith',
      emails: [email('jsmith@widgets.example')],
      companyId: company!.id,
    });
    const sameEmail = await create(
      rep1,
      { firstName: 'J', lastName: 'Smith', emails: [email('jsmith@widgets.example')] },
      true,
    );
    const sameNameSameDomain = await create(rep1, { firstName: 'Jonathan', lastName: 'Smith', companyId: company!.id });
    const similar = await create(rep1, { firstName: 'Jonathon', lastName: 'Smith' });
    await create(rep1, { firstName: 'Unrelated', lastName: 'Person' });
    const { candidates } = await rep1.contacts.findDuplicates({ id: subject.id, limit: 10 });
    const byId = new Map(candidates.map((c) => [c.contact!.id, c]));
    expect(byId.get(sameEmail.id)?.reasons).toContain('same_email');
    expect(byId.get(sameNameSameDomain.id)?.reasons).toEqual(['same_name_same_company_domain']);
    expect(byId.get(similar.id)?.reasons).toEqual(['similar_name']);
    expect(candidates).toHaveLength(3);
    expect(candidates[0]?.contact?.id).toBe(sameEmail.id);
    expect(candidates.map((c) => c.score)).toEqual([...candidates.map((c) => c.score)].sort((a, b) => b - a));
  });

  it('merges: target keeps its id, lists are united, empty fields filled, activities re-pointed, source tombstoned; a retry emits contact.merged once', async () => {
    const target = await create(rep1, {
      firstName: 'Marie',
      lastName: 'Curie',
      emails: [email('marie@radium.example')],
      tags: ['physics'],
    });
    const source = await create(rep1, {
      firstName: 'M.',
      lastName: 'Sklodowska',
      title: 'Professor',
      emails: [email('msc@sorbonne.example')],
      phones: [phone('+33 1 44 27 00 00')],
      tags: ['chemistry'],
      tier: 'vip',
    });
    await rep1.activities.logActivity(note(source.id, 'met at conference'));
    await rep1.activities.logActivity(note(source.id, 'sent paper'));
    await rep1.activities.logActivity(note(target.id, 'first call'));

    const request = { targetId: target.id, sourceId: source.id, expectedTargetVersion: 1 };
    const first = await rep1.contacts.mergeContacts(request);
    expect(first.activitiesMoved).toBe(2);
    expect(first.contact).toMatchObject({
      id: target.id,
      firstName: 'Marie',
      lastName: 'Curie',
      title: 'Professor',
      tier: 'vip',
      tags: ['physics', 'chemistry'],
      version: 2,
    });
    expect(first.contact?.emails.map((e) => [e.address, e.primary])).toEqual([
      ['marie@radium.example', true],
      ['msc@sorbonne.example', false],
    ]);
    expect(first.contact?.phones.map((p) => p.number)).toEqual(['+33144270000']);

    const retry = await rep1.contacts.mergeContacts(request);
    expect(retry).toEqual(first);

    const timeline = await rep1.activities.listContactTimeline({ contactId: target.id, page: undefined, types: [] });
    expect(timeline.activities.map((a) => a.body).sort()).toEqual(['first call', 'met at conference', 'sent paper']);
    const tombstone = (await rep1.contacts.getContact({ id: source.id, includeDeleted: true })).contact!;
    expect(tombstone.mergedInto).toBe(target.id);
    expect(tombstone.deletedAt).toBeInstanceOf(Date);
    expect((await failure(rep1.contacts.getContact({ id: source.id, includeDeleted: false }))).code).toBe('NOT_FOUND');

    const merged = (await h.events('contact.merged')).filter((e) => e.aggregateId === target.id);
    expect(merged).toHaveLength(1);
    const payload = ContactMerged.decode(merged[0]!.payload!.value);
    expect(payload).toMatchObject({ sourceId: source.id, targetId: target.id, activitiesMoved: 2 });
    expect(payload.target).toMatchObject({ firstName: 'Marie', lastName: 'Curie' });
    expect(await h.eventCount('contact.merged')).toBe(1);

    // The source's email now belongs to the target.
    expect(
      (await failure(create(rep1, { firstName: 'Copy', emails: [email('msc@sorbonne.example')] }))).metadata.existingId,
    ).toBe(target.id);
    // Merging the source into someone else, or merging a tombstone, is refused.
    const other = await create(rep1, { firstName: 'Other' });
    expect(
      (
        await failure(
          rep1.contacts.mergeContacts({ targetId: other.id, sourceId: source.id, expectedTargetVersion: 1 }),
        )
      ).code,
    ).toBe('FAILED_PRECONDITION');
  });

  it('refuses a merge with a stale target version or across visibility', async () => {
    const target = await create(rep1, { firstName: 'Tgt' });
    const source = await create(rep1, { firstName: 'Src' });
    expect(
      (
        await failure(
          rep1.contacts.mergeContacts({ targetId: target.id, sourceId: source.id, expectedTargetVersion: 7 }),
        )
      ).code,
    ).toBe('FAILED_PRECONDITION');
    const foreign = await create(rep3, { firstName: 'Foreign' });
    expect(
      (
        await failure(
          rep1.contacts.mergeContacts({ targetId: target.id, sourceId: foreign.id, expectedTargetVersion: 1 }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    // The refused attempt left nothing behind: the same merge with the right version goes through.
    expect(
      (await rep1.contacts.mergeContacts({ targetId: target.id, sourceId: source.id, expectedTargetVersion: 1 }))
        .contact?.version,
    ).toBe(2);
  });

  it('exports everything held about a contact as JSON', async () => {
    const contact = await create(rep1, {
      firstName: 'Ingrid',
      lastName: 'Export',
      emails: [email('ingrid@export.example')],
    });
    await rep1.activities.logActivity(note(contact.id, 'asked for her data'));
    const { json } = await rep1.contacts.exportContactData({ id: contact.id });
    const document = JSON.parse(json) as {
      contact: { firstName: string; emails: Array<{ address: string }> };
      activities: Array<{ body: string }>;
    };
    expect(document.contact.firstName).toBe('Ingrid');
    expect(document.contact.emails[0]?.address).toBe('ingrid@export.example');
    expect(document.activities.map((a) => a.body)).toEqual(['asked for her data']);
    expect((await failure(rep3.contacts.exportContactData({ id: contact.id }))).code).toBe('NOT_FOUND');
  });

  it('erases personal data, keeps a tombstone, frees the email and emits contact.erased', async () => {
    const contact = await create(rep1, {
      firstName: 'Erin',
      lastName: 'Erase',
      emails: [email('erin@erase.example')],
      phones: [phone('+1 212 555 0199')],
      address: { street: '1 Main St', city: 'NYC', region: 'NY', postalCode: '10001', country: 'US' },
    });
    await rep1.activities.logActivity(note(contact.id, 'private details'));
    const erased = await admin.contacts.eraseContact({ id: contact.id });
    expect(erased.id).toBe(contact.id);
    const tombstone = (await admin.contacts.getContact({ id: contact.id, includeDeleted: true })).contact!;
    expect(tombstone).toMatchObject({ firstName: '', lastName: '', emails: [], phones: [], address: undefined });
    expect(tombstone.erasedAt).toBeInstanceOf(Date);
    const timeline = JSON.parse((await admin.contacts.exportContactData({ id: contact.id })).json) as {
      activities: Array<{ body: string }>;
    };
    expect(timeline.activities.map((a) => a.body)).toEqual(['']);
    expect((await admin.contacts.searchContacts({ query: 'erin', limit: 10 })).hits).toEqual([]);
    const again = await create(rep1, {
      firstName: 'Erin',
      emails: [email('erin@erase.example')],
      phones: [phone('+1 212 555 0199')],
    });
    expect(again.id).not.toBe(contact.id);
    const events = (await h.events('contact.erased')).filter((e) => e.aggregateId === contact.id);
    expect(events).toHaveLength(1);
    const payload = ContactErased.decode(events[0]!.payload!.value);
    expect(payload.contactId).toBe(contact.id);
    expect(Buffer.from(events[0]!.payload!.value).toString('latin1')).not.toContain('erase.example');
    expect(
      (await failure(rep1.contacts.restoreContact({ id: contact.id, expectedVersion: tombstone.version }))).code,
    ).toBe('FAILED_PRECONDITION');
  });
});
