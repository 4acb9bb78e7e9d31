import pino from 'pino';
import { ContactChanged } from '@crm/proto/crm/contact/v1/events';
import { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealChanged } from '@crm/proto/crm/pipeline/v1/events';
import { contactSyncHandler } from '../src/events/contact-sync.consumer';
import { eventually } from '@crm/testkit';
import { contactInput, createContact, createDeal, PipelineHarness, type Api } from './support/pipeline-harness';

describe('contact data on deals kept fresh from contact events', () => {
  const h = new PipelineHarness();
  let rep: Api;

  beforeAll(async () => {
    await h.start();
    rep = await h.as('acme-rep1');
  });

  afterAll(() => h.stop());

  const dealOf = async (id: string) => (await rep.deals.getDeal({ id, includeDeleted: false })).deal;

  it('re-points a deal to the surviving contact after a merge, and shows its name, driven by events', async () => {
    const source = await createContact(rep, 'Alice', 'Source');
    const target = await createContact(rep, 'Bob', 'Target');
    const deal = await createDeal(rep, { title: 'Merged deal', contactId: source.id });
    expect(deal.contact?.displayName).toBe('Alice Source');

    const { contact: survivor } = await rep.contacts.mergeContacts({
      targetId: target.id,
      sourceId: source.id,
      expectedTargetVersion: target.version,
    });
    const expectedName = [survivor?.firstName, survivor?.lastName].filter(Boolean).join(' ');
    const repointed = await eventually(
      async () => {
        const current = await dealOf(deal.id);
        return current?.contactId === target.id && current.contact?.displayName === expectedName ? current : undefined;
      },
      10_000,
      100,
    );
    expect(repointed).toMatchObject({
      contactId: target.id,
      contact: { id: target.id, displayName: expectedName, erased: false },
      version: 2,
    });
    const event = await eventually(async () => (await h.events('deal.updated')).find((e) => e.aggregateId === deal.id));
    const payload = DealChanged.decode(event.payload?.value ?? new Uint8Array());
    expect(payload).toMatchObject({
      changedFields: ['contact_id'],
      previous: { contactId: source.id },
      deal: { contactId: target.id, version: 2 },
    });
  });

  it('refreshes the contact summary on contact.updated without a new deal version', async () => {
    const contact = await createContact(rep, 'Carol', 'Old');
    const deal = await createDeal(rep, { contactId: contact.id });
    await rep.contacts.updateContact({
      id: contact.id,
      expectedVersion: contact.version,
      contact: contactInput({ lastName: 'New' }),
      updateMask: ['last_name'],
      allowDuplicates: false,
    });
    const refreshed = await eventually(
      async () => {
        const current = await dealOf(deal.id);
        return current?.contact?.displayName === 'Carol New' ? current : undefined;
      },
      10_000,
      100,
    );
    // A summary refresh is no edit of the deal: its version stays.
    expect(refreshed.version).toBe(1);
  });

  it('refreshes the company summary on company.updated', async () => {
    const { company } = await rep.companies.createCompany({
      company: {
        name: 'Globo Gym',
        domain: 'globo.example',
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
    const deal = await createDeal(rep, { companyId: company?.id ?? '' });
    await rep.companies.updateCompany({
      id: company?.id ?? '',
      expectedVersion: company?.version ?? 0,
      company: {
        name: 'Globo Gym Corp',
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
      },
      updateMask: ['name'],
    });
    await eventually(
      async () => ((await dealOf(deal.id))?.company?.name === 'Globo Gym Corp' ? true : undefined),
      10_000,
      100,
    );
  });

  it('drops what it copied about a contact whose personal data was erased', async () => {
    const contact = await createContact(rep, 'Dave', 'Private');
    const deal = await createDeal(rep, { contactId: contact.id });
    await rep.contacts.eraseContact({ id: contact.id });
    const erased = await eventually(
      async () => {
        const current = await dealOf(deal.id);
        return current?.contact?.erased ? current : undefined;
      },
      10_000,
      100,
    );
    expect(erased.contact).toEqual({ id: contact.id, displayName: '', email: '', erased: true });
    expect(erased.contactId).toBe(contact.id);
  });

  it('never lets an older or repeated contact event overwrite a newer summary', async () => {
    const contact = await createContact(rep, 'Erin', 'Current');
    const deal = await createDeal(rep, { contactId: contact.id });
    const handle = contactSyncHandler(h.pipeline.app, pino({ level: 'silent' }));
    const updated = (version: number, lastName: string): Envelope => ({
      id: `evt-${version}-${lastName}`,
      type: 'contact.updated',
      tenantId: 'acme',
      aggregateId: contact.id,
      aggregateVersion: version,
      occurredAt: new Date(),
      actor: undefined,
      payload: {
        typeUrl: 'type.googleapis.com/crm.contact.v1.ContactChanged',
        value: Buffer.from(
          ContactChanged.encode({ contact: { ...contact, lastName, version }, changedFields: ['last_name'] }).finish(),
        ),
      },
      ownerId: rep.userId,
      teamId: 'acme-east',
    });
    await handle(updated(50, 'Newest'), { subject: 'crm.contact.updated', deliveryCount: 1 });
    await handle(updated(49, 'Older'), { subject: 'crm.contact.updated', deliveryCount: 1 });
    await handle(updated(50, 'Newest'), { subject: 'crm.contact.updated', deliveryCount: 2 });
    expect((await dealOf(deal.id))?.contact?.displayName).toBe('Erin Newest');
  });
});
