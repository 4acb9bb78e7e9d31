import { EMPTY_CONTACT } from './contact.model';
import { mergeContacts, type MergeableContact } from './merge';

const contact = (overrides: Partial<MergeableContact>): MergeableContact => ({
  ...EMPTY_CONTACT,
  companyName: '',
  companyDomain: '',
  ...overrides,
});

describe('merge rules', () => {
  it('keeps the target values, unites lists, fills empty fields from the source', () => {
    const target = contact({
      firstName: 'Marie',
      emails: [{ address: 'a@x.io', primary: true, label: '' }],
      tags: ['physics'],
      customFields: { budget: 1 },
    });
    const source = contact({
      firstName: 'M.',
      title: 'Professor',
      emails: [
        { address: 'b@y.io', primary: true, label: '' },
        { address: 'a@x.io', primary: false, label: '' },
      ],
      phones: [{ number: '+1', primary: true, label: '' }],
      tags: ['chemistry', 'physics'],
      tier: 'vip',
      companyId: 'c1',
      companyName: 'Sorbonne',
      customFields: { budget: 2, field: 'x' },
      address: { street: 's', city: '', region: '', postalCode: '', country: 'FR' },
    });
    const { merged, changedFields } = mergeContacts(target, source);
    expect(merged.firstName).toBe('Marie');
    expect(merged.title).toBe('Professor');
    expect(merged.emails).toEqual([
      { address: 'a@x.io', primary: true, label: '' },
      { address: 'b@y.io', primary: false, label: '' },
    ]);
    expect(merged.phones).toEqual([{ number: '+1', primary: true, label: '' }]);
    expect(merged.tags).toEqual(['physics', 'chemistry']);
    expect(merged).toMatchObject({
      tier: 'vip',
      companyId: 'c1',
      companyName: 'Sorbonne',
      customFields: { budget: 1, field: 'x' },
    });
    expect(merged.address?.country).toBe('FR');
    expect(changedFields).toEqual(
      expect.arrayContaining(['title', 'emails', 'phones', 'tags', 'company_id', 'address', 'custom_fields', 'tier']),
    );
    expect(changedFields).not.toContain('first_name');
  });
});
