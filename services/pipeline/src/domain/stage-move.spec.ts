import { buildStages } from './pipeline';
import { DEFAULT_STAGES, type Stage } from './stage';
import { enterStage, moveToStage, reopenTarget, type MovableDeal } from './stage-move';

let seq = 0;
const stages = buildStages(DEFAULT_STAGES, () => `s${++seq}`);
const stage = (name: string) => stages.find((s) => s.name === name) as Stage;
const t0 = new Date('2025-01-01T00:00:00Z');
const t1 = new Date('2025-01-02T00:00:00Z');

function openDeal(stageName = 'Proposal'): MovableDeal {
  return {
    stageId: stage(stageName).id,
    status: 'open',
    lostReason: '',
    closedAt: null,
    stageHistory: [{ stageId: stage(stageName).id, enteredAt: t0, leftAt: null, by: 'u1' }],
  };
}

describe('stage moves', () => {
  it('records each change of stage in the history', () => {
    const outcome = moveToStage({ deal: openDeal(), to: stage('Negotiation'), lostReason: '', by: 'u2', now: t1 });
    expect(outcome).toMatchObject({
      stageId: stage('Negotiation').id,
      status: 'open',
      signal: undefined,
      closedAt: null,
    });
    expect(outcome.stageHistory).toEqual([
      { stageId: stage('Proposal').id, enteredAt: t0, leftAt: t1, by: 'u1' },
      { stageId: stage('Negotiation').id, enteredAt: t1, leftAt: null, by: 'u2' },
    ]);
  });

  it('closes a deal moved into a won stage', () => {
    expect(moveToStage({ deal: openDeal(), to: stage('Won'), lostReason: '', by: 'u1', now: t1 })).toMatchObject({
      status: 'won',
      closedAt: t1,
      signal: 'won',
      lostReason: '',
    });
  });

  it('requires a lost reason to lose a deal, and keeps one given before', () => {
    expect(() => moveToStage({ deal: openDeal(), to: stage('Lost'), lostReason: '  ', by: 'u1', now: t1 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        violations: [expect.objectContaining({ field: 'lostReason' })],
      }),
    );
    expect(moveToStage({ deal: openDeal(), to: stage('Lost'), lostReason: 'price', by: 'u1', now: t1 })).toMatchObject({
      status: 'lost',
      lostReason: 'price',
      signal: 'lost',
      closedAt: t1,
    });
  });

  it('reopens a closed deal moved into an open stage and clears its close', () => {
    const lost: MovableDeal = { ...openDeal('Lost'), status: 'lost', lostReason: 'price', closedAt: t0 };
    expect(moveToStage({ deal: lost, to: stage('Qualification'), lostReason: '', by: 'u1', now: t1 })).toMatchObject({
      status: 'open',
      closedAt: null,
      lostReason: '',
      signal: 'reopened',
    });
  });

  it('refuses archived stages and stages being archived', () => {
    for (const to of [
      { ...stage('Qualification'), archived: true },
      { ...stage('Qualification'), archivingSince: t0 },
    ])
      expect(() => moveToStage({ deal: openDeal(), to, lostReason: '', by: 'u1', now: t1 })).toThrow(
        expect.objectContaining({ reason: 'STAGE_ARCHIVED' }),
      );
  });

  it('reopens into the last open stage the deal was in, or one asked for', () => {
    const history = enterStage(
      enterStage(openDeal('Qualification').stageHistory, stage('Negotiation').id, 'u1', t0),
      stage('Won').id,
      'u1',
      t1,
    );
    const won: MovableDeal = {
      stageId: stage('Won').id,
      status: 'won',
      lostReason: '',
      closedAt: t1,
      stageHistory: history,
    };
    expect(reopenTarget(won, stages, '').name).toBe('Negotiation');
    expect(reopenTarget(won, stages, stage('Prospecting').id).name).toBe('Prospecting');
    expect(() => reopenTarget(won, stages, stage('Lost').id)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => reopenTarget(openDeal(), stages, '')).toThrow(expect.objectContaining({ reason: 'DEAL_NOT_CLOSED' }));
  });
});
