import { describe, expect, it } from 'vitest';
import { changedFields, conflictOf, describeValue, patchedFields } from './record-conflict';

const base = {
  id: 'c1',
  version: 4,
  updatedAt: '2025-01-01T00:00:00Z',
  firstName: 'Ada',
  title: 'CTO',
  emails: [{ address: 'ada@x.test', primary: true, label: '' }],
  customFields: { budget: 100, region: 'EU' },
};

describe('conflicts on edit (412)', () => {
  it('lists what others changed, ignoring bookkeeping, custom fields key by key', () => {
    const latest = {
      ...base,
      version: 6,
      updatedAt: '2025-01-02T00:00:00Z',
      title: 'CEO',
      customFields: { budget: 250, region: 'EU' },
    };
    expect(changedFields(base, latest)).toEqual([
      { field: 'customFields.budget', before: 100, after: 250 },
      { field: 'title', before: 'CTO', after: 'CEO' },
    ]);
  });

  it('treats empty, null and missing alike, and compares nested values by content', () => {
    expect(changedFields({ a: '', b: null, c: { x: 1, y: 2 } }, { b: undefined, c: { y: 2, x: 1 } })).toEqual([]);
  });

  it('says which of the user’s fields clash with the others’ changes', () => {
    const latest = { ...base, version: 5, title: 'CEO' };
    expect(conflictOf(base, latest, { title: 'VP' })).toEqual({
      theirs: [{ field: 'title', before: 'CTO', after: 'CEO' }],
      clashes: ['title'],
    });
    expect(conflictOf(base, latest, { firstName: 'Ada L.' }).clashes).toEqual([]);
    expect(patchedFields({ firstName: 'x', customFields: { budget: 1, region: null } })).toEqual([
      'firstName',
      'customFields.budget',
      'customFields.region',
    ]);
  });

  it('describes values in one line', () => {
    expect(describeValue([{ address: 'a@x.test', primary: true }])).toBe('a@x.test');
    expect(describeValue(null)).toBe('(empty)');
    expect(describeValue({ amountMinor: 12_345, currency: 'EUR' })).toBe('123.45 EUR');
  });
});
