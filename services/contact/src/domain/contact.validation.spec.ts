import type { CustomFieldDefinition } from '@crm/service-kit';
import { EMPTY_CONTACT } from './contact.model';
import { validateContactPatch, validateNewContact, withPrimary, type ContactInputData } from './contact.validation';

const input = (overrides: Partial<ContactInputData>): ContactInputData => ({
  firstName: '',
  lastName: '',
  emails: [],
  phones: [],
  title: '',
  companyId: '',
  lifecycleStage: '',
  leadSource: '',
  tags: [],
  tier: '',
  address: null,
  customFields: undefined,
  externalId: '',
  ...overrides,
});
const budget: CustomFieldDefinition = {
  key: 'budget',
  label: 'Budget',
  type: 'number',
  required: false,
  archived: false,
};
const ctx = { defaultRegion: 'US' as const, definitions: [budget], requiredFields: [] };

describe('contact validation', () => {
  it('normalises a new contact and applies defaults', () => {
    const fields = validateNewContact(
      input({
        firstName: '  Ada  ',
        emails: [{ address: 'ADA@x.io', primary: false, label: ' work ' }],
        phones: [{ number: '415 555 0100', primary: false, label: '' }],
        customFields: { budget: 5 },
      }),
      ctx,
      EMPTY_CONTACT,
    );
    expect(fields).toMatchObject({
      firstName: 'Ada',
      lifecycleStage: 'lead',
      tier: 'standard',
      emails: [{ address: 'ada@x.io', primary: true, label: 'work' }],
      phones: [{ number: '+14155550100', primary: true, label: '' }],
      customFields: { budget: 5 },
    });
  });

  it('lists every violation at once', () => {
    const attempt = () =>
      validateNewContact(
        input({
          emails: [
            { address: 'a@x.io', primary: true, label: '' },
            { address: 'A@x.io', primary: true, label: '' },
          ],
          tier: 'gold',
          customFields: { budget: 'x' },
        }),
        { ...ctx, requiredFields: ['last_name'] },
        EMPTY_CONTACT,
      );
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    try {
      attempt();
    } catch (error) {
      expect((error as { violations: Array<{ field: string }> }).violations.map((v) => v.field).sort()).toEqual([
        'customFields.budget',
        'emails',
        'emails[1].address',
        'lastName',
        'tier',
      ]);
    }
  });

  it('patches only the masked paths, drops unchanged values and refuses unknown or owner paths', () => {
    const current = { ...EMPTY_CONTACT, firstName: 'Ada', title: 'Countess', customFields: { budget: 1 } };
    expect(validateContactPatch(input({ title: 'Countess', firstName: 'X' }), ['title'], current, ctx)).toEqual({});
    expect(
      validateContactPatch(input({ customFields: { budget: 2 } }), ['custom_fields.budget'], current, ctx),
    ).toEqual({ customFields: { budget: 2 } });
    expect(() => validateContactPatch(input({}), ['height'], current, ctx)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => validateContactPatch(input({}), ['owner_id'], current, ctx)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => validateContactPatch(input({}), [], current, ctx)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('keeps exactly one primary entry', () => {
    expect(withPrimary([{ primary: false }, { primary: false }])).toEqual([{ primary: true }, { primary: false }]);
    expect(withPrimary([{ primary: false }, { primary: true }])).toEqual([{ primary: false }, { primary: true }]);
  });
});
