import { fieldChanges } from './field-changes';

describe('fieldChanges', () => {
  it('lists the top-level fields whose values differ, with both values', () => {
    const before = { _id: 'a', version: 1, name: 'Ada', tags: ['x'], address: { city: 'Paris' }, at: new Date(0) };
    const after = { _id: 'a', version: 2, name: 'Ada', tags: ['x', 'y'], address: { city: 'Paris' }, at: new Date(0) };
    expect(fieldChanges(before, after)).toEqual([{ field: 'tags', from: ['x'], to: ['x', 'y'] }]);
  });

  it('ignores bookkeeping and omitted fields, and treats missing as null', () => {
    const changes = fieldChanges(
      { updatedAt: new Date(1), searchKey: 'a' },
      { updatedAt: new Date(2), searchKey: 'b', note: 'n' },
      new Set(['searchKey']),
    );
    expect(changes).toEqual([{ field: 'note', from: null, to: 'n' }]);
  });

  it('lists only the non-empty fields of a new record', () => {
    expect(fieldChanges(undefined, { name: 'Ada', tags: [], note: '', custom: {}, deletedAt: null })).toEqual([
      { field: 'name', from: null, to: 'Ada' },
    ]);
  });
});
