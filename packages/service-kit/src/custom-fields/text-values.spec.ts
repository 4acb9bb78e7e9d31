import type { CustomFieldDefinition, CustomFieldType } from './definition';
import { customFieldValuesFromText } from './text-values';

function field(key: string, type: CustomFieldType): CustomFieldDefinition {
  return { key, label: key, type, required: false, archived: false };
}

const definitions = [
  field('notes', 'text'),
  field('budget', 'number'),
  field('vip', 'boolean'),
  field('tags', 'multi_select'),
];

describe('customFieldValuesFromText', () => {
  it('reads numbers, booleans and lists, and leaves empty cells out', () => {
    expect(
      customFieldValuesFromText(definitions, { notes: ' hi ', budget: '12.5', vip: 'Yes', tags: 'a; b|c,', other: '' }),
    ).toEqual({ notes: 'hi', budget: 12.5, vip: true, tags: ['a', 'b', 'c'] });
    expect(customFieldValuesFromText(definitions, { vip: 'no' })).toEqual({ vip: false });
  });

  it('keeps what it cannot read as text for the validation to report, and unknown keys too', () => {
    expect(customFieldValuesFromText(definitions, { budget: 'lots', vip: 'maybe', legacy: 'x' })).toEqual({
      budget: 'lots',
      vip: 'maybe',
      legacy: 'x',
    });
  });
});
