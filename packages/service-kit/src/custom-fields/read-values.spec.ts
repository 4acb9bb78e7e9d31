import type { CustomFieldDefinition, CustomFieldType } from './definition';
import { readCustomFieldValues } from './read-values';

function field(key: string, type: CustomFieldType, archived = false): CustomFieldDefinition {
  return { key, label: key, type, required: false, archived };
}

const definitions = [
  field('notes', 'text'),
  field('budget', 'number'),
  field('vip', 'boolean'),
  field('tags', 'multi_select'),
  field('region', 'text', true),
];

describe('readCustomFieldValues', () => {
  it('keeps archived values by default and drops keys without a definition', () => {
    expect(readCustomFieldValues(definitions, { notes: 'n', region: 'EMEA', legacy: 'x' })).toEqual({
      notes: 'n',
      region: 'EMEA',
    });
  });

  it('can hide archived values', () => {
    expect(readCustomFieldValues(definitions, { notes: 'n', region: 'EMEA' }, { includeArchived: false })).toEqual({
      notes: 'n',
    });
  });

  it('drops values whose stored shape does not match the type', () => {
    expect(readCustomFieldValues(definitions, { notes: 5, budget: '5', vip: 'true', tags: ['a', 1] })).toEqual({});
    expect(readCustomFieldValues(definitions, { notes: 'n', budget: 5, vip: false, tags: ['a', 'old'] })).toEqual({
      notes: 'n',
      budget: 5,
      vip: false,
      tags: ['a', 'old'],
    });
  });

  it('copies arrays so callers cannot mutate the stored document', () => {
    const stored = { tags: ['a'] };
    const read = readCustomFieldValues(definitions, stored);
    (read.tags as string[]).push('b');
    expect(stored.tags).toEqual(['a']);
  });

  it('accepts a Map and tolerates missing or malformed input', () => {
    expect(
      readCustomFieldValues(
        definitions,
        new Map<string, unknown>([
          ['vip', true],
          ['legacy', 1],
        ]),
      ),
    ).toEqual({ vip: true });
    for (const stored of [undefined, null, 'x', ['notes']])
      expect(readCustomFieldValues(definitions, stored)).toEqual({});
  });
});
