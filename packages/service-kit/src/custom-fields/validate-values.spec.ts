import { isServiceError } from '../errors/service-error';
import type { CustomFieldDefinition, CustomFieldType, CustomFieldValues } from './definition';
import {
  validateCustomFieldValues,
  validateCustomFieldValuesOrThrow,
  type ValidateCustomFieldValuesOptions,
} from './validate-values';

function field(key: string, type: CustomFieldType, extra: Partial<CustomFieldDefinition> = {}): CustomFieldDefinition {
  return { key, label: key, type, required: false, archived: false, ...extra };
}

const options = (...values: string[]) => values.map((value) => ({ value, label: value.toUpperCase() }));

const definitions: CustomFieldDefinition[] = [
  field('notes', 'text', { maxLength: 10 }),
  field('bio', 'text'),
  field('budget', 'number', { min: 0, max: 1000 }),
  field('seats', 'number', { integer: true }),
  field('renewal', 'date'),
  field('vip', 'boolean'),
  field('tier', 'single_select', {
    options: [...options('gold', 'silver'), { value: 'bronze', label: 'Bronze', archived: true }],
  }),
  field('tags', 'multi_select', {
    options: [...options('a', 'b', 'c'), { value: 'old', label: 'Old', archived: true }],
  }),
  field('website', 'url'),
  field('billing', 'email'),
  field('mobile', 'phone'),
];

const create: ValidateCustomFieldValuesOptions = { mode: 'create' };

function valuesOf(input: Record<string, unknown>, opts: ValidateCustomFieldValuesOptions = create, defs = definitions) {
  const result = validateCustomFieldValues(defs, input, opts);
  if (!result.ok) throw new Error(`expected values, got ${JSON.stringify(result.violations)}`);
  return result.values;
}

function violationsOf(
  input: Record<string, unknown>,
  opts: ValidateCustomFieldValuesOptions = create,
  defs = definitions,
) {
  const result = validateCustomFieldValues(defs, input, opts);
  if (result.ok) throw new Error(`expected violations, got ${JSON.stringify(result.values)}`);
  return result.violations;
}

/** The single value one key normalises to on create. */
const normalised = (key: string, value: unknown, opts: ValidateCustomFieldValuesOptions = create) =>
  valuesOf({ [key]: value }, opts)[key];
/** The descriptions of the violations for one key on create. */
const problems = (key: string, value: unknown, opts: ValidateCustomFieldValuesOptions = create) =>
  violationsOf({ [key]: value }, opts).map((violation) => {
    expect(violation.field).toBe(`customFields.${key}`);
    return violation.description;
  });

describe('validateCustomFieldValues: types', () => {
  describe('text', () => {
    it('trims', () => expect(normalised('notes', '  hi  ')).toBe('hi'));
    it('enforces maxLength after trimming', () => {
      expect(normalised('notes', ` ${'x'.repeat(10)} `)).toBe('x'.repeat(10));
      expect(problems('notes', 'x'.repeat(11))).toEqual(['must be at most 10 characters']);
    });
    it('defaults maxLength to 1000', () => {
      expect(normalised('bio', 'y'.repeat(1000))).toHaveLength(1000);
      expect(problems('bio', 'y'.repeat(1001))).toEqual(['must be at most 1000 characters']);
    });
    it.each([42, true, ['x'], { text: 'x' }])('rejects the non-string %p', (value) => {
      expect(problems('notes', value)).toEqual(['must be a string']);
    });
  });

  describe('number', () => {
    it('accepts finite numbers within min/max, inclusive', () => {
      expect(normalised('budget', 0)).toBe(0);
      expect(normalised('budget', 1000)).toBe(1000);
      expect(normalised('budget', 12.5)).toBe(12.5);
    });
    it.each(['12', NaN, Infinity, true, []])('rejects %p as not a number', (value) => {
      expect(problems('budget', value)).toEqual(['must be a number']);
    });
    it('enforces min, max and integer', () => {
      expect(problems('budget', -1)).toEqual(['must be at least 0']);
      expect(problems('budget', 1000.01)).toEqual(['must be at most 1000']);
      expect(problems('seats', 2.5)).toEqual(['must be a whole number']);
      expect(normalised('seats', -3)).toBe(-3);
    });
    it('reports several numeric problems for one value', () => {
      const defs = [field('qty', 'number', { integer: true, min: 1 })];
      expect(violationsOf({ qty: 0.5 }, create, defs).map((v) => v.description)).toEqual([
        'must be a whole number',
        'must be at least 1',
      ]);
    });
  });

  describe('date', () => {
    it('accepts YYYY-MM-DD, trimmed, including 29 February of a leap year', () => {
      expect(normalised('renewal', ' 2024-02-29 ')).toBe('2024-02-29');
      expect(normalised('renewal', '2000-02-29')).toBe('2000-02-29');
      expect(normalised('renewal', '2023-12-31')).toBe('2023-12-31');
    });
    it.each(['2023-02-29', '2023-02-30', '1900-02-29', '2023-04-31', '2023-13-01', '2023-00-10', '2023-01-00'])(
      'rejects the impossible date %s',
      (value) => {
        expect(problems('renewal', value)).toEqual([`must be a real calendar date ("${value}" does not exist)`]);
      },
    );
    it.each(['2023-1-5', '05/01/2023', '2023-01-05T10:00:00Z', '20230105', 20230105])(
      'rejects the format %p',
      (value) => {
        expect(problems('renewal', value)).toEqual(['must be a date in YYYY-MM-DD format']);
      },
    );
  });

  describe('boolean', () => {
    it('accepts true and false', () => {
      expect(normalised('vip', true)).toBe(true);
      expect(normalised('vip', false)).toBe(false);
    });
    it.each(['true', 'false', 1, 0])('rejects %p', (value) => {
      expect(problems('vip', value)).toEqual(['must be true or false']);
    });
  });

  describe('single_select', () => {
    it('accepts an active option value, trimmed', () => expect(normalised('tier', ' gold')).toBe('gold'));
    it('rejects anything else, listing only the active options', () => {
      expect(problems('tier', 'platinum')).toEqual(['must be one of: gold, silver']);
      expect(problems('tier', 'Gold')).toEqual(['must be one of: gold, silver']);
      expect(problems('tier', ['gold'])).toEqual(['must be one of: gold, silver']);
    });
    it('shortens a long option list in the description', () => {
      const many = Array.from({ length: 25 }, (_, i) => `o${i}`);
      const defs = [field('pick', 'single_select', { options: options(...many) })];
      expect(violationsOf({ pick: 'nope' }, create, defs)[0]?.description).toBe(
        `must be one of: ${many.slice(0, 20).join(', ')} (and 5 more)`,
      );
    });
  });

  describe('multi_select', () => {
    it('accepts option values, de-duplicated in first-seen order', () => {
      expect(normalised('tags', ['c', 'a', ' c', 'a', 'b'])).toEqual(['c', 'a', 'b']);
    });
    it('rejects non-arrays and non-string items', () => {
      expect(problems('tags', 'a')).toEqual(['must be a list of option values']);
      expect(problems('tags', ['a', 1])).toEqual(['must be a list of option values (strings only)']);
    });
    it('names every unknown value', () => {
      expect(problems('tags', ['a', 'x', 'y'])).toEqual([
        'contains unknown options "x", "y"; each value must be one of: a, b, c',
      ]);
      expect(problems('tags', ['z'])).toEqual(['contains unknown option "z"; each value must be one of: a, b, c']);
    });
  });

  describe('url', () => {
    it('accepts http and https and stores the normalised href', () => {
      expect(normalised('website', ' HTTPS://Example.COM ')).toBe('https://example.com/');
      expect(normalised('website', 'http://example.com/a b?q=1')).toBe('http://example.com/a%20b?q=1');
    });
    it.each(['javascript:alert(1)', 'ftp://example.com/file', 'mailto:a@example.com', 'data:text/html,hi'])(
      'rejects the scheme of %s',
      (value) => expect(problems('website', value)).toEqual(['must use http or https']),
    );
    it.each(['example.com', 'not a url', 'https://', 42])('rejects %p as not a URL', (value) => {
      expect(problems('website', value)).toEqual(['must be a valid http or https URL, e.g. https://example.com']);
    });
    it('rejects overly long URLs', () => {
      expect(problems('website', `https://example.com/${'a'.repeat(2048)}`)).toEqual([
        'must be at most 2048 characters',
      ]);
    });
  });

  describe('email', () => {
    it('trims and lower-cases', () =>
      expect(normalised('billing', '  Ada.Lovelace@Example.ORG ')).toBe('ada.lovelace@example.org'));
    it.each(['ada', 'ada@', '@example.org', 'ada@example', 'ada lovelace@example.org', 7])('rejects %p', (value) => {
      expect(problems('billing', value)).toEqual([
        typeof value === 'string' ? 'must be a valid email address' : 'must be an email address',
      ]);
    });
  });

  describe('phone', () => {
    it('stores international numbers as E.164', () => {
      expect(normalised('mobile', '+44 20 7946 0958')).toBe('+442079460958');
      expect(normalised('mobile', '+1 (415) 555-0100')).toBe('+14155550100');
    });
    it('reads national numbers in the default region', () => {
      expect(normalised('mobile', '415 555 0100', { mode: 'create', defaultRegion: 'US' })).toBe('+14155550100');
      expect(normalised('mobile', '020 7946 0958', { mode: 'create', defaultRegion: 'GB' })).toBe('+442079460958');
    });
    it('rejects national numbers without a default region, and says how to fix it', () => {
      expect(problems('mobile', '415 555 0100')).toEqual([
        'must be a valid phone number in international format, e.g. +14155550100',
      ]);
    });
    it('rejects invalid numbers, mentioning the default region', () => {
      expect(problems('mobile', '123', { mode: 'create', defaultRegion: 'US' })).toEqual([
        'must be a valid phone number (numbers without a +country code are read as US)',
      ]);
      expect(problems('mobile', 'call me', { mode: 'create', defaultRegion: 'US' })).toHaveLength(1);
    });
    it('rejects non-strings and extensions', () => {
      expect(problems('mobile', 14155550100)).toEqual(['must be a phone number written as a string']);
      expect(problems('mobile', '+1 415 555 0100 ext. 12')).toEqual(['must not include an extension']);
    });
  });
});

describe('validateCustomFieldValues: keys, required, clearing', () => {
  it('returns only the provided values on create', () => {
    expect(valuesOf({ vip: false, budget: 10 })).toEqual({ vip: false, budget: 10 });
  });

  it('rejects unknown keys, including prototype names', () => {
    expect(
      violationsOf(JSON.parse('{"colour":"red","__proto__":1,"constructor":2,"vip":true}') as Record<string, unknown>),
    ).toEqual([
      { field: 'customFields.colour', description: 'is not a defined custom field' },
      { field: 'customFields.__proto__', description: 'is not a defined custom field' },
      { field: 'customFields.constructor', description: 'is not a defined custom field' },
    ]);
  });

  it('rejects input that is not an object', () => {
    for (const input of [null, ['a'], 'text']) {
      expect(validateCustomFieldValues(definitions, input as unknown as Record<string, unknown>, create)).toEqual({
        ok: false,
        violations: [{ field: 'customFields', description: 'must be an object keyed by custom field' }],
      });
    }
  });

  it('uses the configured path prefix', () => {
    expect(violationsOf({ vip: 'yes' }, { mode: 'create', pathPrefix: 'data.custom' })).toEqual([
      { field: 'data.custom.vip', description: 'must be true or false' },
    ]);
  });

  it('collects every violation instead of stopping at the first', () => {
    const defs = [...definitions, field('owner_email', 'email', { required: true })];
    expect(violationsOf({ budget: '5', vip: 'true', tags: ['zz'], nope: 1, website: 'ftp://x' }, create, defs)).toEqual(
      [
        { field: 'customFields.budget', description: 'must be a number' },
        { field: 'customFields.vip', description: 'must be true or false' },
        { field: 'customFields.tags', description: 'contains unknown option "zz"; each value must be one of: a, b, c' },
        { field: 'customFields.nope', description: 'is not a defined custom field' },
        { field: 'customFields.website', description: 'must use http or https' },
        { field: 'customFields.owner_email', description: 'is required' },
      ],
    );
  });

  describe('required on create', () => {
    const defs = [
      field('stage', 'single_select', { required: true, options: options('new', 'won') }),
      field('agreed', 'boolean', { required: true }),
    ];

    it('accepts when present (false counts as a value)', () => {
      expect(valuesOf({ stage: 'new', agreed: false }, create, defs)).toEqual({ stage: 'new', agreed: false });
    });

    it.each([{}, { stage: null, agreed: null }, { stage: '  ', agreed: null }])(
      'rejects missing or empty values in %p',
      (input) => {
        expect(violationsOf(input, create, defs)).toEqual([
          { field: 'customFields.stage', description: 'is required' },
          { field: 'customFields.agreed', description: 'is required' },
        ]);
      },
    );

    it('reports an invalid required value once, not also as missing', () => {
      expect(violationsOf({ stage: 'lost', agreed: true }, create, defs)).toEqual([
        { field: 'customFields.stage', description: 'must be one of: new, won' },
      ]);
    });
  });

  describe('empty values', () => {
    it('leaves optional fields unset on create for null, blank strings and empty lists', () => {
      expect(
        valuesOf({
          notes: '   ',
          tags: [],
          website: '',
          billing: ' ',
          mobile: '',
          renewal: '',
          tier: '',
          budget: null,
        }),
      ).toEqual({});
    });
  });

  describe('update', () => {
    const existing: CustomFieldValues = { notes: 'old', budget: 5, tags: ['a'], vip: true };
    const update = (stored: CustomFieldValues = existing): ValidateCustomFieldValuesOptions => ({
      mode: 'update',
      existing: stored,
    });

    it('merges the patch onto the stored values without mutating them', () => {
      const stored = { ...existing, tags: [...(existing.tags as string[])] };
      expect(valuesOf({ budget: 7, tags: ['b', 'a'] }, update(stored))).toEqual({
        notes: 'old',
        budget: 7,
        tags: ['b', 'a'],
        vip: true,
      });
      expect(stored).toEqual(existing);
    });

    it('clears values with null or an empty value', () => {
      expect(valuesOf({ notes: null, tags: [], vip: null }, update())).toEqual({ budget: 5 });
    });

    it('still validates changed values', () => {
      expect(violationsOf({ budget: 5000 }, update())).toEqual([
        { field: 'customFields.budget', description: 'must be at most 1000' },
      ]);
    });

    it('does not allow clearing a required field', () => {
      const defs = [field('stage', 'text', { required: true }), field('note', 'text')];
      expect(violationsOf({ stage: null }, update({ stage: 'new' }), defs)).toEqual([
        { field: 'customFields.stage', description: 'is required and cannot be cleared' },
      ]);
      expect(violationsOf({ stage: '  ' }, update({ stage: 'new' }), defs)).toEqual([
        { field: 'customFields.stage', description: 'is required and cannot be cleared' },
      ]);
      expect(valuesOf({ note: 'x' }, update({ stage: 'new' }), defs)).toEqual({ stage: 'new', note: 'x' });
    });

    it('requires the merged result to satisfy required fields, e.g. one made required after the record was created', () => {
      const defs = [field('stage', 'text', { required: true }), field('note', 'text')];
      expect(violationsOf({ note: 'x' }, update({}), defs)).toEqual([
        { field: 'customFields.stage', description: 'is required' },
      ]);
      expect(valuesOf({ note: 'x', stage: 'new' }, update({}), defs)).toEqual({ note: 'x', stage: 'new' });
    });

    it('accepts sending back a stored value unchanged, even if today it would be rejected', () => {
      // maxLength of notes is 10; the stored value predates that.
      const stored = { notes: 'a long note from before', tier: 'bronze' };
      expect(valuesOf({ notes: 'a long note from before', tier: 'bronze', vip: true }, update(stored))).toEqual({
        ...stored,
        vip: true,
      });
      expect(violationsOf({ notes: 'another long note' }, update(stored))).toEqual([
        { field: 'customFields.notes', description: 'must be at most 10 characters' },
      ]);
    });

    it('keeps stored keys that have no definition, and still rejects them as input', () => {
      expect(valuesOf({ vip: false }, update({ legacy: 'x' }))).toEqual({ legacy: 'x', vip: false });
      expect(violationsOf({ legacy: 'x' }, update({ legacy: 'x' }))).toEqual([
        { field: 'customFields.legacy', description: 'is not a defined custom field' },
      ]);
    });
  });
});

describe('validateCustomFieldValues: archived', () => {
  const defs = [field('region', 'text', { archived: true, required: true }), field('vip', 'boolean')];

  it('rejects setting an archived field on create, and does not require it', () => {
    expect(violationsOf({ region: 'EMEA' }, create, defs)).toEqual([
      { field: 'customFields.region', description: 'is archived and can no longer be changed' },
    ]);
    expect(valuesOf({ vip: true }, create, defs)).toEqual({ vip: true });
    expect(valuesOf({ region: null }, create, defs)).toEqual({});
  });

  it('keeps the stored value on update, and accepts it sent back unchanged', () => {
    const opts: ValidateCustomFieldValuesOptions = { mode: 'update', existing: { region: 'EMEA' } };
    expect(valuesOf({ vip: true }, opts, defs)).toEqual({ region: 'EMEA', vip: true });
    expect(valuesOf({ region: 'EMEA', vip: true }, opts, defs)).toEqual({ region: 'EMEA', vip: true });
  });

  it('rejects changing or clearing an archived field on update', () => {
    const opts: ValidateCustomFieldValuesOptions = { mode: 'update', existing: { region: 'EMEA' } };
    for (const value of ['APAC', null, '']) {
      expect(violationsOf({ region: value }, opts, defs)).toEqual([
        { field: 'customFields.region', description: 'is archived and can no longer be changed' },
      ]);
    }
  });

  describe('archived options', () => {
    it('cannot be newly chosen', () => {
      expect(problems('tier', 'bronze')).toEqual(['option "bronze" is archived and can no longer be chosen']);
      expect(problems('tags', ['a', 'old'])).toEqual(['option "old" is archived and can no longer be chosen']);
      expect(problems('tier', 'bronze', { mode: 'update', existing: { tier: 'gold' } })).toEqual([
        'option "bronze" is archived and can no longer be chosen',
      ]);
    });

    it('may stay when the record already holds them', () => {
      const opts: ValidateCustomFieldValuesOptions = {
        mode: 'update',
        existing: { tags: ['old', 'a'], tier: 'bronze' },
      };
      expect(valuesOf({ tags: ['old', 'b'] }, opts)).toEqual({ tags: ['old', 'b'], tier: 'bronze' });
      expect(valuesOf({ tier: 'gold' }, opts)).toEqual({ tags: ['old', 'a'], tier: 'gold' });
    });

    it('reports unknown and archived options together', () => {
      const defs2 = [
        field('tags', 'multi_select', {
          options: [
            ...options('a'),
            { value: 'x', label: 'X', archived: true },
            { value: 'y', label: 'Y', archived: true },
          ],
        }),
      ];
      expect(violationsOf({ tags: ['q', 'x', 'y'] }, create, defs2).map((v) => v.description)).toEqual([
        'contains unknown option "q"; each value must be one of: a',
        'options "x", "y" are archived and can no longer be chosen',
      ]);
    });
  });
});

describe('validateCustomFieldValuesOrThrow', () => {
  it('returns the values or throws INVALID_ARGUMENT listing the violations', () => {
    expect(validateCustomFieldValuesOrThrow(definitions, { vip: true }, create)).toEqual({ vip: true });
    let caught: unknown;
    try {
      validateCustomFieldValuesOrThrow(definitions, { vip: 'no', budget: -1 }, create);
    } catch (error) {
      caught = error;
    }
    expect(isServiceError(caught)).toBe(true);
    expect(isServiceError(caught) && [caught.code, caught.message, caught.violations]).toEqual([
      'INVALID_ARGUMENT',
      'Custom field values are invalid',
      [
        { field: 'customFields.vip', description: 'must be true or false' },
        { field: 'customFields.budget', description: 'must be at least 0' },
      ],
    ]);
  });
});
