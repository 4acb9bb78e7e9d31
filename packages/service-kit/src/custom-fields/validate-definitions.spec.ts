import { isServiceError } from '../errors/service-error';
import type { CustomFieldDefinition } from './definition';
import { validateDefinitions, validateDefinitionsOrThrow } from './validate-definitions';

const tier: CustomFieldDefinition = {
  key: 'tier',
  label: 'Tier',
  type: 'single_select',
  required: false,
  archived: false,
  options: [
    { value: 'gold', label: 'Gold' },
    { value: 'silver', label: 'Silver' },
  ],
};
const budget: CustomFieldDefinition = {
  key: 'budget',
  label: 'Budget',
  type: 'number',
  required: false,
  archived: false,
};

describe('validateDefinitions', () => {
  it('returns the parsed definitions when all are valid', () => {
    const result = validateDefinitions([{ key: 'budget', label: 'Budget', type: 'number' }, tier]);
    expect(result).toEqual({ ok: true, definitions: [budget, tier] });
  });

  it('rejects duplicate keys, naming the first use', () => {
    expect(validateDefinitions([budget, tier, { ...budget, label: 'Budget 2' }])).toEqual({
      ok: false,
      violations: [
        { field: 'definitions[2].key', description: 'must be unique; "budget" is already used by definitions[0]' },
      ],
    });
  });

  it('collects the violations of every definition, under a configurable prefix', () => {
    const result = validateDefinitions(
      [{ key: 'a', label: 'A', type: 'nope' }, budget, { key: 'B', label: 'B', type: 'text' }],
      {
        pathPrefix: 'fields',
      },
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.violations.map((v) => v.field)).toEqual(['fields[0].type', 'fields[2].key']);
  });

  it('rejects a non-array', () => {
    expect(validateDefinitions({ budget })).toEqual({
      ok: false,
      violations: [{ field: 'definitions', description: 'must be a list of custom field definitions' }],
    });
  });

  describe('with the previous definitions', () => {
    it('allows archiving fields and options, relabelling and adding', () => {
      const next = [
        { ...budget, archived: true },
        {
          ...tier,
          label: 'Level',
          options: [
            { value: 'gold', label: 'Gold' },
            { value: 'silver', label: 'Silver', archived: true },
            { value: 'bronze', label: 'Bronze' },
          ],
        },
        { key: 'vip', label: 'VIP', type: 'boolean' },
      ];
      expect(validateDefinitions(next, { previous: [budget, tier] }).ok).toBe(true);
    });

    it('rejects removing a field, changing a type and removing an option', () => {
      const next = [
        { ...tier, type: 'multi_select' },
        { key: 'vip', label: 'VIP', type: 'boolean' },
      ];
      expect(validateDefinitions(next, { previous: [budget, tier] })).toEqual({
        ok: false,
        violations: [
          { field: 'definitions', description: 'must keep the field "budget"; archive it instead of removing it' },
          {
            field: 'definitions[0].type',
            description: 'cannot change from single_select to multi_select; archive this field and create a new one',
          },
        ],
      });
      expect(
        validateDefinitions([budget, { ...tier, options: [{ value: 'bronze', label: 'Bronze' }] }], {
          previous: [budget, tier],
        }),
      ).toEqual({
        ok: false,
        violations: [
          {
            field: 'definitions[1].options',
            description: 'must keep options "gold", "silver"; archive instead of removing',
          },
        ],
      });
    });

    it('does not also call a submitted-but-invalid field "removed"', () => {
      const result = validateDefinitions([{ ...budget, label: '' }, tier], { previous: [budget, tier] });
      expect(result).toEqual({
        ok: false,
        violations: [{ field: 'definitions[0].label', description: 'must not be empty' }],
      });
    });
  });
});

describe('validateDefinitionsOrThrow', () => {
  it('returns definitions or throws INVALID_ARGUMENT with the violations', () => {
    expect(validateDefinitionsOrThrow([budget])).toEqual([budget]);
    let caught: unknown;
    try {
      validateDefinitionsOrThrow([budget, budget]);
    } catch (error) {
      caught = error;
    }
    expect(isServiceError(caught) && caught.code).toBe('INVALID_ARGUMENT');
    expect(isServiceError(caught) && caught.violations).toEqual([
      { field: 'definitions[1].key', description: 'must be unique; "budget" is already used by definitions[0]' },
    ]);
  });
});
