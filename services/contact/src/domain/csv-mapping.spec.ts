import type { CustomFieldDefinition } from '@crm/service-kit';
import { contactRowInput, mappedValues, parseMatchBy, validateMapping } from './csv-mapping';
import { contactColumns, contactCsvRow } from './export-rows';
import { EMPTY_CONTACT } from './contact.model';

const defs: CustomFieldDefinition[] = [
  { key: 'budget', label: 'Budget', type: 'number', required: false, archived: false },
  { key: 'vip', label: 'VIP', type: 'boolean', required: false, archived: false },
  {
    key: 'topics',
    label: 'Topics',
    type: 'multi_select',
    required: false,
    archived: false,
    options: [
      { value: 'a', label: 'A' },
      { value: 'b', label: 'B' },
    ],
  },
];

describe('CSV mapping', () => {
  it('maps columns to fields, or headers that already name fields', () => {
    const mapped = mappedValues(
      { Name: ' Ada ', Mail: 'a@x.io', Other: 'ignored' },
      [
        { column: 'Name', field: 'first_name' },
        { column: 'Mail', field: 'email' },
      ],
      'contact',
    );
    expect([...mapped]).toEqual([
      ['first_name', 'Ada'],
      ['email', 'a@x.io'],
    ]);
    expect([...mappedValues({ first_name: 'Ada', unknown: 'x', 'custom_fields.budget': '5' }, [], 'contact')]).toEqual([
      ['first_name', 'Ada'],
      ['custom_fields.budget', '5'],
    ]);
  });

  it('types custom field cells and splits list cells', () => {
    const { input } = contactRowInput(
      new Map([
        ['email', 'a@x.io'],
        ['emails', 'b@x.io; c@x.io'],
        ['tags', 'one;two'],
        ['custom_fields.budget', '12.5'],
        ['custom_fields.vip', 'yes'],
        ['custom_fields.topics', 'a;b'],
        ['city', 'Paris'],
      ]),
      defs,
    );
    expect(input.emails.map((e) => [e.address, e.primary])).toEqual([
      ['a@x.io', true],
      ['b@x.io', false],
      ['c@x.io', false],
    ]);
    expect(input.tags).toEqual(['one', 'two']);
    expect(input.customFields).toEqual({ budget: 12.5, vip: true, topics: ['a', 'b'] });
    expect(input.address).toMatchObject({ city: 'Paris' });
  });

  it('refuses unknown mapping targets and match keys', () => {
    expect(() => validateMapping('contact', [{ column: 'x', field: 'salary' }], defs)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => validateMapping('contact', [{ column: 'x', field: 'custom_fields.nope' }], defs)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(validateMapping('company', [{ column: 'x', field: 'domain' }], [])).toHaveLength(1);
    expect(parseMatchBy('contact', '')).toBe('email');
    expect(parseMatchBy('company', '')).toBe('domain');
    expect(() => parseMatchBy('contact', 'domain')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('exports rows under the same column names the import reads', () => {
    const columns = contactColumns(defs);
    const row = contactCsvRow(
      {
        ...EMPTY_CONTACT,
        _id: 'id1',
        firstName: 'Ada',
        emails: [
          { address: 'b@x.io', primary: false, label: '' },
          { address: 'a@x.io', primary: true, label: '' },
        ],
        tags: ['x', 'y'],
        companyDomain: '',
        companyName: '',
        ownerId: 'u',
        teamId: 't',
        customFields: { topics: ['a', 'b'] },
        lastActivityAt: null,
        createdAt: new Date(0),
        updatedAt: new Date(0),
      },
      defs,
    );
    const record = Object.fromEntries(columns.map((c, i) => [c, row[i]]));
    expect(record).toMatchObject({
      id: 'id1',
      first_name: 'Ada',
      email: 'a@x.io',
      emails: 'b@x.io',
      tags: 'x;y',
      'custom_fields.topics': 'a;b',
    });
    const { input } = contactRowInput(mappedValues(record as Record<string, string>, [], 'contact'), defs);
    expect(input.emails.map((e) => e.address)).toEqual(['a@x.io', 'b@x.io']);
  });
});
