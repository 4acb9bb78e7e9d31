import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';
import { CreateContactRequest, CreateContactResponse } from '@crm/proto/crm/contact/v1/contact';
import { fromGrpcError } from '@crm/service-kit';
import { ContactHarness, contactInput, email, failure, phone, type Api } from './support/contact-harness';

describe('contacts on the real servers', () => {
  const h = new ContactHarness();
  let rep1: Api;
  let rep2: Api;
  let rep3: Api;
  let manager: Api;
  let admin: Api;
  let globex: Api;

  beforeAll(async () => {
    await h.start();
    [rep1, rep2, rep3, manager, admin, globex] = await Promise.all([
      h.as('acme-rep1'),
      h.as('acme-rep2'),
      h.as('acme-rep3'),
      h.as('acme-manager'),
      h.as('acme-admin'),
      h.as('globex-admin'),
    ]);
  });

  afterAll(() => h.stop());

  const create = (api: Api, overrides: Parameters<typeof contactInput>[0], allowDuplicates = false) =>
    api.contacts.createContact({ contact: contactInput(overrides), allowDuplicates }).then((r) => r.contact!);

  it('creates a contact with normalised emails and phones, owned by the rep, and emits contact.created', async () => {
    const contact = await create(rep1, {
      firstName: ' Ada ',
      lastName: 'Lovelace',
      emails: [email('Ada@Example.COM'), email('ada.l@home.org', true)],
      phones: [phone('(415) 555-0111')],
      tags: ['VIP', 'vip', 'Math'],
      lifecycleStage: 'customer',
    });
    expect(contact).toMatchObject({
      firstName: 'Ada',
      version: 1,
      ownerId: rep1.userId,
      teamId: 'acme-east',
      tier: 'standard',
      lifecycleStage: 'customer',
      tags: ['vip', 'math'],
    });
    expect(contact.emails).toEqual([email('ada@example.com', false), email('ada.l@home.org', true)]);
    expect(contact.phones).toEqual([phone('+14155550111', true)]);
    const events = await h.events('contact.created');
    expect(events.map((e) => e.aggregateId)).toContain(contact.id);
  });

  it('rejects invalid input with one violation per field', async () => {
    const error = await failure(
      create(rep1, { emails: [email('not-an-email')], phones: [phone('12')], lifecycleStage: 'hot', tier: 'gold' }),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.violations.map((v) => v.field).sort()).toEqual([
      'emails[0].address',
      'lifecycleStage',
      'phones[0].number',
      'tier',
    ]);
  });

  it('answers ALREADY_EXISTS with the existing id for a known email or phone, unless duplicates are allowed', async () => {
    const first = await create(rep1, {
      firstName: 'Dup',
      emails: [email('dup@example.com')],
      phones: [phone('+44 20 7946 0958')],
    });
    const byEmail = await failure(create(rep2, { firstName: 'Other', emails: [email('DUP@example.com')] }));
    expect(byEmail).toMatchObject({ code: 'ALREADY_EXISTS', reason: 'DUPLICATE' });
    expect(byEmail.metadata.existingId).toBe(first.id);
    const byPhone = await failure(create(rep1, { firstName: 'Other', phones: [phone('+442079460958')] }));
    expect(byPhone.metadata.existingId).toBe(first.id);
    const allowed = await create(rep1, { firstName: 'Twin', emails: [email('dup@example.com')] }, true);
    expect(allowed.id).not.toBe(first.id);
  });

  it('updates with expected_version and answers FAILED_PRECONDITION on a stale version', async () => {
    const contact = await create(rep1, { firstName: 'Grace', emails: [email('grace@example.com')] });
    const { contact: updated } = await rep1.contacts.updateContact({
      id: contact.id,
      expectedVersion: 1,
      contact: contactInput({ title: 'Rear Admiral', lastName: 'Hopper' }),
      updateMask: ['title', 'last_name'],
      allowDuplicates: false,
    });
    expect(updated).toMatchObject({ version: 2, title: 'Rear Admiral', lastName: 'Hopper', firstName: 'Grace' });
    const stale = await failure(
      rep1.contacts.updateContact({
        id: contact.id,
        expectedVersion: 1,
        contact: contactInput({ title: 'x' }),
        updateMask: ['title'],
        allowDuplicates: false,
      }),
    );
    expect(stale).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'VERSION_MISMATCH' });
    const unknown = await failure(
      rep1.contacts.updateContact({
        id: contact.id,
        expectedVersion: 2,
        contact: contactInput({}),
        updateMask: ['shoe_size'],
        allowDuplicates: false,
      }),
    );
    expect(unknown.code).toBe('INVALID_ARGUMENT');
    expect(unknown.violations[0]?.description).toContain('shoe_size');
    const owner = await failure(
      rep1.contacts.updateContact({
        id: contact.id,
        expectedVersion: 2,
        contact: contactInput({ ownerId: rep2.userId }),
        updateMask: ['owner_id'],
        allowDuplicates: false,
      }),
    );
    expect(owner.code).toBe('INVALID_ARGUMENT');
    const updatedEvents = await h.events('contact.updated');
    expect(updatedEvents.some((e) => e.aggregateId === contact.id && e.aggregateVersion === 2)).toBe(true);
  });

  it('rejects a request carrying a field the contract does not define, top-level or nested', async () => {
    const client = new Client(`127.0.0.1:${h.service.grpcPort}`, credentials.createInsecure());
    const send = (bytes: Buffer) =>
      new Promise<CreateContactResponse>((resolve, reject) => {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${rep1.token}`);
        client.makeUnaryRequest(
          '/crm.contact.v1.ContactService/CreateContact',
          (b: Buffer) => b,
          (b: Buffer) => CreateContactResponse.decode(b),
          bytes,
          metadata,
          { deadline: new Date(Date.now() + 10_000) },
          (error: ServiceError | null, response?: CreateContactResponse) =>
            error ? reject(error) : resolve(response!),
        );
      });
    const valid = Buffer.from(
      CreateContactRequest.encode({ contact: contactInput({ firstName: 'Strict' }), allowDuplicates: false }).finish(),
    );
    // Field 99 (varint 1) at the top level; field 50 inside ContactInput.
    const topLevel = Buffer.concat([valid, Buffer.from([0x98, 0x06, 0x01])]);
    const nestedInput = Buffer.concat([
      Buffer.from(
        CreateContactRequest.encode({
          contact: contactInput({ firstName: 'Strict' }),
          allowDuplicates: false,
        }).finish(),
      ).subarray(2),
      Buffer.from([0x90, 0x03, 0x01]),
    ]);
    const nested = Buffer.concat([Buffer.from([0x0a, nestedInput.length]), nestedInput]);
    try {
      const top = fromGrpcError((await send(topLevel).catch((e: ServiceError) => e)) as ServiceError);
      expect(top).toMatchObject({
        code: 'INVALID_ARGUMENT',
        violations: [{ field: '#99', description: expect.stringContaining('unknown') }],
      });
      const inner = fromGrpcError((await send(nested).catch((e: ServiceError) => e)) as ServiceError);
      expect(inner.violations.map((v) => v.field)).toEqual(['contact.#50']);
      expect((await send(valid)).contact?.firstName).toBe('Strict');
    } finally {
      client.close();
    }
  });

  it('moves uniqueness with an email change: the old address is free again', async () => {
    const contact = await create(rep1, { firstName: 'Mover', emails: [email('old@mover.io')] });
    await rep1.contacts.updateContact({
      id: contact.id,
      expectedVersion: 1,
      contact: contactInput({ emails: [email('new@mover.io')] }),
      updateMask: ['emails'],
      allowDuplicates: false,
    });
    const reuse = await create(rep2, { firstName: 'Reuser', emails: [email('old@mover.io')] });
    expect(reuse.emails[0]?.address).toBe('old@mover.io');
    const taken = await failure(create(rep2, { firstName: 'Late', emails: [email('new@mover.io')] }));
    expect(taken.metadata.existingId).toBe(contact.id);
  });

  it('soft-deletes and restores', async () => {
    const contact = await create(rep1, { firstName: 'Phoenix' });
    const { contact: deleted } = await rep1.contacts.deleteContact({ id: contact.id, expectedVersion: 1 });
    expect(deleted?.deletedAt).toBeInstanceOf(Date);
    expect((await failure(rep1.contacts.getContact({ id: contact.id, includeDeleted: false }))).code).toBe('NOT_FOUND');
    expect((await rep1.contacts.getContact({ id: contact.id, includeDeleted: true })).contact?.id).toBe(contact.id);
    const { contact: restored } = await rep1.contacts.restoreContact({ id: contact.id, expectedVersion: 2 });
    expect(restored).toMatchObject({ version: 3, deletedAt: undefined });
    expect((await h.events('contact.deleted')).some((e) => e.aggregateId === contact.id)).toBe(true);
    expect((await h.events('contact.restored')).some((e) => e.aggregateId === contact.id)).toBe(true);
  });

  describe('visibility', () => {
    let east: string;
    let west: string;

    beforeAll(async () => {
      east = (await create(rep1, { firstName: 'East', lastName: 'Side' })).id;
      west = (await create(rep3, { firstName: 'West', lastName: 'Side' })).id;
    });

    it('acme-rep1 cannot read acme-rep3 contact (NOT_FOUND)', async () => {
      expect((await failure(rep1.contacts.getContact({ id: west, includeDeleted: false }))).code).toBe('NOT_FOUND');
      expect((await failure(rep3.contacts.getContact({ id: east, includeDeleted: false }))).code).toBe('NOT_FOUND');
    });

    it('acme-manager reads acme-east reps contacts but not acme-west ones', async () => {
      expect((await manager.contacts.getContact({ id: east, includeDeleted: false })).contact?.firstName).toBe('East');
      expect((await failure(manager.contacts.getContact({ id: west, includeDeleted: false }))).code).toBe('NOT_FOUND');
      const listed = (
        await manager.contacts.listContacts({ filter: undefined, page: { limit: 200, cursor: '' } })
      ).contacts.map((c) => c.id);
      expect(listed).toContain(east);
      expect(listed).not.toContain(west);
    });

    it('globex-admin cannot read any acme record', async () => {
      expect((await failure(globex.contacts.getContact({ id: east, includeDeleted: false }))).code).toBe('NOT_FOUND');
      expect((await globex.contacts.listContacts({ filter: undefined, page: undefined })).contacts).toEqual([]);
      expect((await globex.contacts.batchGetContacts({ ids: [east, west] })).missingIds).toEqual([east, west]);
      expect((await globex.contacts.searchContacts({ query: 'side', limit: 10 })).hits).toEqual([]);
    });

    it('a rep cannot change what it cannot see, and batch get lists the rest as missing', async () => {
      expect((await failure(rep1.contacts.deleteContact({ id: west, expectedVersion: 1 }))).code).toBe('NOT_FOUND');
      const batch = await rep1.contacts.batchGetContacts({ ids: [west, east] });
      expect(batch.contacts.map((c) => c.id)).toEqual([east]);
      expect(batch.missingIds).toEqual([west]);
    });
  });

  describe('ownership', () => {
    it('a rep creates as itself and may not name another owner (the one ownership rule: INVALID_ARGUMENT naming the field)', async () => {
      const error = await failure(create(rep1, { firstName: 'Nope', ownerId: rep2.userId }));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.violations.map((v) => v.field)).toEqual(['ownerId']);
      const otherTeam = await failure(create(rep1, { firstName: 'Nope', teamId: 'acme-west' }));
      expect(otherTeam.violations.map((v) => v.field)).toEqual(['teamId']);
    });

    it('a manager may create for a rep of its team', async () => {
      const contact = await create(manager, { firstName: 'Assigned', ownerId: rep2.userId, teamId: 'acme-east' });
      expect(contact).toMatchObject({ ownerId: rep2.userId, teamId: 'acme-east' });
      expect((await rep2.contacts.getContact({ id: contact.id, includeDeleted: false })).contact?.id).toBe(contact.id);
    });

    it('only managers and admins transfer; the new owner then sees the contact', async () => {
      const contact = await create(rep1, { firstName: 'Handover' });
      const byRep = await failure(
        rep1.contacts.transferContact({ id: contact.id, expectedVersion: 1, newOwnerId: rep2.userId, newTeamId: '' }),
      );
      expect(byRep).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ field: 'ownerId' }] });
      const outsideTeams = await failure(
        manager.contacts.transferContact({
          id: contact.id,
          expectedVersion: 1,
          newOwnerId: rep3.userId,
          newTeamId: 'acme-west',
        }),
      );
      expect(outsideTeams).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ field: 'teamId' }] });
      const { contact: moved } = await manager.contacts.transferContact({
        id: contact.id,
        expectedVersion: 1,
        newOwnerId: rep2.userId,
        newTeamId: '',
      });
      expect(moved).toMatchObject({ ownerId: rep2.userId, teamId: 'acme-east', version: 2 });
      expect((await failure(rep1.contacts.getContact({ id: contact.id, includeDeleted: false }))).code).toBe(
        'NOT_FOUND',
      );
      expect((await rep2.contacts.getContact({ id: contact.id, includeDeleted: false })).contact?.firstName).toBe(
        'Handover',
      );
      const { contact: west } = await admin.contacts.transferContact({
        id: contact.id,
        expectedVersion: 2,
        newOwnerId: rep3.userId,
        newTeamId: 'acme-west',
      });
      expect(west).toMatchObject({ ownerId: rep3.userId, teamId: 'acme-west' });
    });

    it('changes the owner and team in the same write as the fields: one UpdateContact, one version', async () => {
      const contact = await create(rep1, { firstName: 'Together', title: 'Engineer' });
      const { contact: updated } = await manager.contacts.updateContact({
        id: contact.id,
        expectedVersion: 1,
        contact: contactInput({ title: 'Lead', ownerId: rep2.userId }),
        updateMask: ['title', 'owner_id'],
        allowDuplicates: false,
      });
      expect(updated).toMatchObject({ version: 2, title: 'Lead', ownerId: rep2.userId, teamId: 'acme-east' });
      const events = (await h.events('contact.updated')).filter((e) => e.aggregateId === contact.id);
      expect(events.map((e) => e.aggregateVersion)).toEqual([2]);
      const byRep = await failure(
        rep2.contacts.updateContact({
          id: contact.id,
          expectedVersion: 2,
          contact: contactInput({ title: 'Mine now', ownerId: rep1.userId }),
          updateMask: ['title', 'owner_id'],
          allowDuplicates: false,
        }),
      );
      expect(byRep).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ field: 'ownerId' }] });
      // Refused as a whole: the title did not change either.
      expect((await rep2.contacts.getContact({ id: contact.id, includeDeleted: false })).contact).toMatchObject({
        version: 2,
        title: 'Lead',
      });
    });
  });

  describe('custom fields and tenant settings', () => {
    it('only admins define fields; a value of the wrong type is INVALID_ARGUMENT with a field violation', async () => {
      const definitions = [
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
      ];
      expect(
        (await failure(rep1.settings.setCustomFieldDefinitions({ entity: 'contact', definitions, expectedVersion: 0 })))
          .code,
      ).toBe('PERMISSION_DENIED');
      const saved = await admin.settings.setCustomFieldDefinitions({
        entity: 'contact',
        definitions,
        expectedVersion: 0,
      });
      expect(saved.version).toBe(1);
      const error = await failure(create(rep1, { firstName: 'Typed', customFields: { budget: 'lots' } }));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.violations).toEqual([{ field: 'customFields.budget', description: 'must be a number' }]);
      const unknown = await failure(create(rep1, { firstName: 'Typed', customFields: { shoeSize: 44 } }));
      expect(unknown.violations[0]).toMatchObject({ field: 'customFields.shoeSize' });
      const ok = await create(rep1, { firstName: 'Typed', customFields: { budget: 1200 } });
      expect(ok.customFields).toEqual({ budget: 1200 });
    });

    it('archives rather than deletes a definition, and keeps stored values readable', async () => {
      const current = await admin.settings.getCustomFieldDefinitions({ entity: 'contact' });
      const removed = await failure(
        admin.settings.setCustomFieldDefinitions({
          entity: 'contact',
          definitions: [],
          expectedVersion: current.version,
        }),
      );
      expect(removed.code).toBe('INVALID_ARGUMENT');
      const archived = current.definitions.map((d) => ({ ...d, archived: true }));
      await admin.settings.setCustomFieldDefinitions({
        entity: 'contact',
        definitions: archived,
        expectedVersion: current.version,
      });
      const listed = await rep1.contacts.listContacts({ filter: undefined, page: { limit: 200, cursor: '' } });
      expect(listed.contacts.find((c) => c.firstName === 'Typed')?.customFields).toEqual({ budget: 1200 });
      expect(
        (await failure(create(rep1, { firstName: 'Late', customFields: { budget: 5 } }))).violations[0]?.description,
      ).toContain('archived');
    });

    it('enforces the tenant required fields and reads phones in the tenant region', async () => {
      const { settings } = await admin.settings.getTenantSettings({});
      expect(
        (
          await failure(
            rep1.settings.updateTenantSettings({
              settings: { ...settings!, requiredContactFields: ['last_name'] },
              expectedVersion: settings!.version,
            }),
          )
        ).code,
      ).toBe('PERMISSION_DENIED');
      await admin.settings.updateTenantSettings({
        settings: { ...settings!, defaultPhoneRegion: 'GB', requiredContactFields: ['last_name'] },
        expectedVersion: settings!.version,
      });
      const missing = await failure(create(rep1, { firstName: 'Solo' }));
      expect(missing.violations).toEqual([{ field: 'lastName', description: 'is required by the tenant settings' }]);
      const british = await create(rep1, { firstName: 'Tom', lastName: 'Atkins', phones: [phone('020 7946 0000')] });
      expect(british.phones[0]?.number).toBe('+442079460000');
      const { settings: now } = await admin.settings.getTenantSettings({});
      await admin.settings.updateTenantSettings({
        settings: { ...now!, defaultPhoneRegion: 'US', requiredContactFields: [] },
        expectedVersion: now!.version,
      });
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      await create(rep1, {
        firstName: 'Zoë',
        lastName: 'Saldaña',
        emails: [email('zoe.s@films.example')],
        phones: [phone('+1 415-555-0100')],
      });
      await create(rep1, { firstName: 'Zoltan', lastName: 'Kodály', emails: [email('zk@music.example')] });
      await create(rep3, { firstName: 'Zoe', lastName: 'West' });
    });

    it('"zoe" finds "Zoë", case- and accent-insensitively, ranked, within visibility', async () => {
      const { hits } = await rep1.contacts.searchContacts({ query: 'zoe', limit: 10 });
      expect(hits.map((h) => h.contact?.firstName)).toEqual(['Zoë']);
      const prefix = await rep1.contacts.searchContacts({ query: 'ZO', limit: 10 });
      expect(prefix.hits.map((h) => h.contact?.firstName).sort()).toEqual(['Zoltan', 'Zoë']);
      const both = await admin.contacts.searchContacts({ query: 'zoe', limit: 10 });
      expect(both.hits.map((h) => h.contact?.lastName).sort()).toEqual(['Saldaña', 'West']);
      const twoTerms = await rep1.contacts.searchContacts({ query: 'zoe sald', limit: 10 });
      expect(twoTerms.hits).toHaveLength(1);
    });

    it('"4155550100" finds "+1 415-555-0100", and so does an email prefix', async () => {
      const byNational = await rep1.contacts.searchContacts({ query: '4155550100', limit: 10 });
      expect(byNational.hits.map((h) => h.contact?.firstName)).toContain('Zoë');
      const byFormatted = await rep1.contacts.searchContacts({ query: '+1 (415) 555', limit: 10 });
      expect(byFormatted.hits.map((h) => h.contact?.firstName)).toContain('Zoë');
      const byEmail = await rep1.contacts.searchContacts({ query: 'zoe.s@films', limit: 10 });
      expect(byEmail.hits.map((h) => h.contact?.firstName)).toEqual(['Zoë']);
    });
  });

  describe('lists', () => {
    it('filters and pages with an opaque cursor in a stable order', async () => {
      for (let i = 0; i < 5; i++)
        await create(rep2, {
          firstName: `Paged${i}`,
          tags: ['paged'],
          lifecycleStage: i % 2 === 0 ? 'lead' : 'customer',
        });
      const seen: string[] = [];
      let cursor = '';
      do {
        const page = await rep2.contacts.listContacts({
          filter: {
            ownerId: '',
            teamId: '',
            lifecycleStage: '',
            tag: 'paged',
            companyId: '',
            updatedSince: undefined,
            includeDeleted: false,
          },
          page: { limit: 2, cursor },
        });
        expect(page.contacts.length).toBeLessThanOrEqual(2);
        seen.push(...page.contacts.map((c) => c.firstName));
        cursor = page.page?.nextCursor ?? '';
      } while (cursor);
      expect(seen).toEqual(['Paged4', 'Paged3', 'Paged2', 'Paged1', 'Paged0']);
      const leads = await rep2.contacts.listContacts({
        filter: {
          ownerId: '',
          teamId: '',
          lifecycleStage: 'lead',
          tag: 'paged',
          companyId: '',
          updatedSince: undefined,
          includeDeleted: false,
        },
        page: undefined,
      });
      expect(leads.contacts.map((c) => c.firstName)).toEqual(['Paged4', 'Paged2', 'Paged0']);
      expect(
        (await failure(rep2.contacts.listContacts({ filter: undefined, page: { limit: 500, cursor: '' } }))).code,
      ).toBe('INVALID_ARGUMENT');
      expect(
        (await failure(rep2.contacts.listContacts({ filter: undefined, page: { limit: 5, cursor: 'garbage' } }))).code,
      ).toBe('INVALID_ARGUMENT');
    });
  });
});
