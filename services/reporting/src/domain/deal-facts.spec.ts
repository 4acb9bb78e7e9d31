import fc from 'fast-check';
import {
  dealFactOf,
  linkStays,
  mergeDealFacts,
  stayOpenedBy,
  type DealChange,
  type DealFact,
  type DealState,
  type StageStay,
} from './deal-facts';

const T0 = Date.parse('2025-01-06T09:00:00Z');
const HOUR = 3_600_000;
const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'];

type Op = { kind: 'move'; stage: number } | { kind: 'amount'; amount: number } | { kind: 'delete' | 'restore' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('move' as const), stage: fc.integer({ min: 0, max: STAGES.length - 1 }) }),
  fc.record({ kind: fc.constant('amount' as const), amount: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ kind: fc.constantFrom('delete' as const, 'restore' as const) }),
);

/** The events a deal with this history publishes: each with the deal after and before the change. */
function historyOf(ops: Op[]): DealChange[] {
  let state: DealState = {
    id: 'd1',
    version: 1,
    pipelineId: 'p1',
    stageId: 'lead',
    status: 'open',
    amountMinor: 1000,
    currency: 'EUR',
    probability: 10,
    forecastCategory: 'pipeline',
    ownerId: 'u1',
    teamId: 't1',
    contactId: '',
    companyId: '',
    expectedCloseDate: null,
    closedAt: null,
    lostReason: '',
    deleted: false,
    createdAt: null,
  };
  const changes: DealChange[] = [
    { eventId: 'e1', tenantId: 'acme', occurredAt: new Date(T0), deal: state, previous: null },
  ];
  ops.forEach((op, i) => {
    const at = new Date(T0 + (i + 1) * HOUR);
    const previous = state;
    const next: DealState = { ...state, version: state.version + 1 };
    if (op.kind === 'move') {
      next.stageId = STAGES[op.stage] as string;
      next.status = next.stageId === 'won' ? 'won' : next.stageId === 'lost' ? 'lost' : 'open';
      next.closedAt = next.status === 'open' ? null : at;
    } else if (op.kind === 'amount') next.amountMinor = op.amount;
    else next.deleted = op.kind === 'delete';
    state = next;
    changes.push({ eventId: `e${next.version}`, tenantId: 'acme', occurredAt: at, deal: next, previous });
  });
  return changes;
}

/** What the store does, without the store: fold the facts, collect the stays, link them. */
function project(changes: readonly DealChange[]): { fact: DealFact | undefined; stays: StageStay[] } {
  let fact: DealFact | undefined;
  const stays: StageStay[] = [];
  for (const change of changes) {
    fact = mergeDealFacts(fact, dealFactOf(change));
    const stay = stayOpenedBy(change);
    if (stay) stays.push(stay);
  }
  return { fact, stays: linkStays(stays, fact?.deleted ?? false) };
}

describe('deal facts', () => {
  it('are the same whatever order the events arrive in, and however often', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 12 }).chain((ops) => {
          const history = historyOf(ops);
          const delivered = fc
            .array(fc.nat({ max: history.length - 1 }), { maxLength: history.length })
            .map((dupes) => [...history, ...dupes.map((i) => history[i] as DealChange)]);
          return fc.tuple(
            fc.constant(history),
            delivered.chain((all) => fc.shuffledSubarray(all, { minLength: all.length })),
          );
        }),
        ([history, delivered]) => {
          expect(project(delivered)).toEqual(project(history));
        },
      ),
    );
  });

  it('record each stay with its entry values and link it to the move that ended it', () => {
    const changes = historyOf([
      { kind: 'move', stage: 1 },
      { kind: 'amount', amount: 5000 },
      { kind: 'move', stage: 3 },
    ]);
    const { fact, stays } = project(changes);
    expect(
      stays.map((s) => [s.stageId, s.enteredVersion, s.leftVersion, s.nextStageId, s.nextStatus, s.amountMinor]),
    ).toEqual([
      ['lead', 1, 2, 'qualified', 'open', 1000],
      ['qualified', 2, 4, 'won', 'won', 1000],
      ['won', 4, null, null, null, 5000],
    ]);
    expect(stays[1]?.leftAt).toEqual(new Date(T0 + 3 * HOUR));
    expect(fact).toMatchObject({ status: 'won', version: 4, amountMinor: 5000, closedAt: new Date(T0 + 3 * HOUR) });
    expect(fact?.createdAt).toEqual(new Date(T0));
  });

  it('take the creation a producer tells over the first event, and date a migrated close by its close time', () => {
    const wonIn2017 = new Date('2017-06-30T12:00:00Z');
    const created = new Date('2017-01-10T12:00:00Z');
    const change: DealChange = {
      eventId: 'e1',
      tenantId: 'acme',
      occurredAt: new Date(T0),
      previous: null,
      deal: { ...historyOf([])[0]!.deal, stageId: 'won', status: 'won', closedAt: wonIn2017, createdAt: created },
    };
    expect(dealFactOf(change)).toMatchObject({ createdAt: created, closedAt: wonIn2017 });
    expect(stayOpenedBy(change)?.enteredAt).toEqual(wonIn2017);
  });

  it('mark every stay of a deleted deal, and unmark them when it is restored', () => {
    const deleted = project(historyOf([{ kind: 'move', stage: 2 }, { kind: 'delete' }]));
    expect(deleted.stays.every((s) => s.dealDeleted)).toBe(true);
    const restored = project(historyOf([{ kind: 'move', stage: 2 }, { kind: 'delete' }, { kind: 'restore' }]));
    expect(restored.stays.some((s) => s.dealDeleted)).toBe(false);
  });
});
