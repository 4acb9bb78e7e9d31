import { allOf } from './filters';
import { matchesFilter } from './visibility';

describe('allOf', () => {
  it('keeps equalities at the top level and operator clauses under $and', () => {
    const scope = { tenantId: 'acme', $or: [{ teamId: { $in: ['east'] } }, { ownerId: 'u1' }] };
    expect(allOf(scope, { stageId: 's1' }, { $and: [{ rank: { $gt: 'a1' } }] })).toEqual({
      tenantId: 'acme',
      stageId: 's1',
      $and: [{ $or: scope.$or }, { rank: { $gt: 'a1' } }],
    });
  });

  it('never lets a later filter overwrite an earlier key', () => {
    const filter = allOf({ tenantId: 'acme', ownerId: 'rep1' }, { ownerId: 'rep3' });
    expect(filter).toEqual({ tenantId: 'acme', ownerId: 'rep1', $and: [{ ownerId: 'rep3' }] });
    expect(matchesFilter(filter, { tenantId: 'acme', ownerId: 'rep3' })).toBe(false);
    expect(matchesFilter(filter, { tenantId: 'acme', ownerId: 'rep1' })).toBe(false);
  });

  it('returns a plain filter when nothing needs $and', () => {
    expect(allOf({ tenantId: 'acme' }, { deletedAt: null })).toEqual({ tenantId: 'acme', deletedAt: null });
  });
});
