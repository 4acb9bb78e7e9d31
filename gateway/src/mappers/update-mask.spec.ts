import { snakeCase, toUpdateMask } from './update-mask';

describe('toUpdateMask', () => {
  it('maps present properties to snake_case paths and leaves absent ones out', () => {
    const { input, paths } = toUpdateMask<{ title: string; lifecycleStage: string }>({
      title: 'CTO',
      lifecycleStage: 'lead',
    });
    expect(paths).toEqual(['title', 'lifecycle_stage']);
    expect(input).toEqual({ title: 'CTO', lifecycleStage: 'lead' });
  });

  it('clears a property given as null with its empty value', () => {
    const { input, paths } = toUpdateMask<{ tags: string[]; address: object; title: string }>(
      { tags: null, address: null, title: null },
      { tags: [], address: undefined },
    );
    expect(paths).toEqual(['tags', 'address', 'title']);
    expect(input).toEqual({ tags: [], address: undefined, title: '' });
  });

  it('merges custom fields key by key; null removes one', () => {
    const { input, paths } = toUpdateMask({ customFields: { budget: 10, region: null } });
    expect(paths).toEqual(['custom_fields.budget', 'custom_fields.region']);
    expect(input).toEqual({ customFields: { budget: 10 } });
  });

  it('converts camelCase to snake_case', () => {
    expect(snakeCase('expectedCloseDate')).toBe('expected_close_date');
  });
});
