import { customFieldDefinitionSchema, parseCustomFieldDefinition, type CustomFieldDefinition } from './definition';

function violationsOf(input: unknown, pathPrefix?: string) {
  const result = parseCustomFieldDefinition(input, pathPrefix === undefined ? {} : { pathPrefix });
  if (result.ok) throw new Error(`expected violations, got ${JSON.stringify(result.definition)}`);
  return result.violations;
}

function definitionOf(input: unknown): CustomFieldDefinition {
  const result = parseCustomFieldDefinition(input);
  if (!result.ok) throw new Error(`expected a definition, got ${JSON.stringify(result.violations)}`);
  return result.definition;
}

describe('parseCustomFieldDefinition', () => {
  it('accepts a minimal definition, defaulting required/archived to false and trimming text', () => {
    expect(definitionOf({ key: 'budget', label: '  Budget ', type: 'number' })).toEqual({
      key: 'budget',
      label: 'Budget',
      type: 'number',
      required: false,
      archived: false,
    });
  });

  it('accepts every documented setting for its own type', () => {
    expect(
      definitionOf({ key: 'notes', label: 'Notes', type: 'text', maxLength: 200, description: ' Free text ' }),
    ).toMatchObject({
      maxLength: 200,
      description: 'Free text',
    });
    expect(
      definitionOf({ key: 'seats', label: 'Seats', type: 'number', min: 1, max: 10, integer: true }),
    ).toMatchObject({
      min: 1,
      max: 10,
      integer: true,
    });
    expect(
      definitionOf({
        key: 'tier',
        label: 'Tier',
        type: 'single_select',
        options: [
          { value: ' gold ', label: 'Gold' },
          { value: 'silver', label: 'Silver', archived: true },
        ],
      }).options,
    ).toEqual([
      { value: 'gold', label: 'Gold' },
      { value: 'silver', label: 'Silver', archived: true },
    ]);
  });

  it.each(['budget', 'dealSize', 'deal_size_2', `a${'b'.repeat(63)}`])('accepts the key %s', (key) => {
    expect(definitionOf({ key, label: 'X', type: 'text' }).key).toBe(key);
  });

  it.each(['Budget', '_budget', '2fast', 'deal-size', 'deal size', '', `a${'b'.repeat(64)}`, '__proto__'])(
    'rejects the key %p',
    (key) => {
      expect(violationsOf({ key, label: 'X', type: 'text' })).toEqual([
        {
          field: 'key',
          description:
            'must start with a lower-case letter and contain only letters, digits and underscores (at most 64 characters)',
        },
      ]);
    },
  );

  it('says "is required" for missing properties and names the allowed types', () => {
    expect(violationsOf({})).toEqual(
      expect.arrayContaining([
        { field: 'key', description: 'is required' },
        { field: 'label', description: 'is required' },
        { field: 'type', description: 'is required' },
      ]),
    );
    expect(violationsOf({ key: 'a', label: 'A', type: 'color' })).toEqual([
      {
        field: 'type',
        description: 'must be one of: text, number, date, boolean, single_select, multi_select, url, email, phone',
      },
    ]);
  });

  it('rejects a blank label, unknown properties and a non-object', () => {
    expect(violationsOf({ key: 'a', label: '   ', type: 'text', colour: 'red' })).toEqual([
      { field: 'label', description: 'must not be empty' },
      { field: 'colour', description: 'is not a recognised property' },
    ]);
    expect(violationsOf('text')).toEqual([{ field: '', description: 'must be an object' }]);
  });

  it.each(['single_select', 'multi_select'])('requires a non-empty option list for %s', (type) => {
    const expected = [
      { field: 'options', description: `is required for ${type} fields and must list at least one option` },
    ];
    expect(violationsOf({ key: 'tier', label: 'Tier', type })).toEqual(expected);
    expect(violationsOf({ key: 'tier', label: 'Tier', type, options: [] })).toEqual(expected);
  });

  it('rejects duplicate option values and malformed options', () => {
    expect(
      violationsOf({
        key: 'tier',
        label: 'Tier',
        type: 'multi_select',
        options: [
          { value: 'a', label: 'A' },
          { value: 'b', label: 'B' },
          { value: ' a', label: 'A again' },
        ],
      }),
    ).toEqual([{ field: 'options[2].value', description: 'duplicates the option value "a"' }]);
    expect(
      violationsOf({
        key: 'tier',
        label: 'Tier',
        type: 'multi_select',
        options: [{ value: '', label: 'Empty' }, { label: 'No value' }],
      }),
    ).toEqual([
      { field: 'options[0].value', description: 'must not be empty' },
      { field: 'options[1].value', description: 'is required' },
    ]);
  });

  it('rejects a required select whose options are all archived', () => {
    expect(
      violationsOf({
        key: 'tier',
        label: 'Tier',
        type: 'single_select',
        required: true,
        options: [{ value: 'a', label: 'A', archived: true }],
      }),
    ).toEqual([
      {
        field: 'options',
        description: 'must keep at least one option that is not archived while the field is required',
      },
    ]);
  });

  it('rejects settings that do not apply to the type instead of silently ignoring them', () => {
    expect(
      violationsOf({
        key: 'a',
        label: 'A',
        type: 'email',
        options: [{ value: 'x', label: 'X' }],
        maxLength: 10,
        min: 1,
        integer: true,
      }),
    ).toEqual([
      { field: 'options', description: 'is only allowed for single_select and multi_select fields' },
      { field: 'maxLength', description: 'is only allowed for text fields' },
      { field: 'min', description: 'is only allowed for number fields' },
      { field: 'integer', description: 'is only allowed for number fields' },
    ]);
  });

  it('rejects min greater than max and an out-of-range maxLength', () => {
    expect(violationsOf({ key: 'a', label: 'A', type: 'number', min: 5, max: 1 })).toEqual([
      { field: 'max', description: 'must be greater than or equal to min' },
    ]);
    expect(violationsOf({ key: 'a', label: 'A', type: 'text', maxLength: 0 })).toEqual([
      { field: 'maxLength', description: 'must be at least 1' },
    ]);
    expect(violationsOf({ key: 'a', label: 'A', type: 'text', maxLength: 2.5 })).toEqual([
      { field: 'maxLength', description: 'must be a whole number' },
    ]);
    expect(violationsOf({ key: 'a', label: 'A', type: 'text', maxLength: 10_001 })).toEqual([
      { field: 'maxLength', description: 'must be at most 10000' },
    ]);
  });

  it('reports several problems at once and prefixes their fields', () => {
    expect(violationsOf({ key: 'Bad', label: '', type: 'text', required: 'yes' }, 'definitions[3]')).toEqual([
      expect.objectContaining({ field: 'definitions[3].key' }),
      { field: 'definitions[3].label', description: 'must not be empty' },
      { field: 'definitions[3].required', description: 'must be true or false' },
    ]);
  });

  it('exposes the schema itself for services that compose it', () => {
    expect(customFieldDefinitionSchema.safeParse({ key: 'a', label: 'A', type: 'boolean' }).success).toBe(true);
    expect(customFieldDefinitionSchema.safeParse({ key: 'a', label: 'A', type: 'boolean', min: 1 }).success).toBe(
      false,
    );
  });
});
