import { allOf, compareBy, equalityBranches } from './filters';
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

describe('equalityBranches', () => {
  it('splits a manager scope into one equality filter per team and one for the owner', () => {
    const scope = {
      tenantId: 'acme',
      deletedAt: null,
      $or: [{ teamId: { $in: ['east', 'north'] } }, { ownerId: 'm1' }],
    };
    expect(equalityBranches(scope)).toEqual([
      { tenantId: 'acme', deletedAt: null, teamId: 'east' },
      { tenantId: 'acme', deletedAt: null, teamId: 'north' },
      { tenantId: 'acme', deletedAt: null, ownerId: 'm1' },
    ]);
  });

  it('matches exactly the records the $or matches', () => {
    const scope = { tenantId: 'acme', $or: [{ teamId: { $in: ['east', 'north'] } }, { ownerId: 'm1' }] };
    const records = [
      { tenantId: 'acme', teamId: 'east', ownerId: 'r1' },
      { tenantId: 'acme', teamId: 'west', ownerId: 'm1' },
      { tenantId: 'acme', teamId: 'west', ownerId: 'r2' },
      { tenantId: 'globex', teamId: 'east', ownerId: 'm1' },
    ];
    for (const record of records) {
      expect(equalityBranches(scope).some((branch) => matchesFilter(branch, record))).toBe(
        matchesFilter(scope, record),
      );
    }
  });

  it('leaves a filter alone when its $or holds other operators, or when it has none', () => {
    const ranged = { tenantId: 'acme', $or: [{ rank: { $gt: 'a' } }, { ownerId: 'm1' }] };
    expect(equalityBranches(ranged)).toEqual([ranged]);
    expect(equalityBranches({ tenantId: 'acme' })).toEqual([{ tenantId: 'acme' }]);
  });
});

describe('compareBy', () => {
  it('orders by each key in turn, in its direction, with missing values first', () => {
    const rows = [{ rank: 'b', _id: '2' }, { rank: 'a', _id: '9' }, { rank: 'b', _id: '1' }, { _id: '5' }];
    expect([...rows].sort(compareBy({ rank: 1, _id: -1 })).map((r) => r._id)).toEqual(['5', '9', '2', '1']);
    const dated = [{ at: new Date(2) }, { at: new Date(3) }, { at: new Date(1) }];
    expect([...dated].sort(compareBy({ at: -1 })).map((r) => r.at.getTime())).toEqual([3, 2, 1]);
  });
});
