import {
  addStage,
  beginArchive,
  buildStages,
  finishArchive,
  isStaleArchive,
  reorderStages,
  stageHasDeals,
  updateStage,
  type PipelineState,
} from './pipeline';
import { checkStageInput, DEFAULT_STAGES, takesDeals, type Stage } from './stage';

let seq = 0;
const newId = () => `s${++seq}`;

function defaultPipeline(): PipelineState {
  seq = 0;
  return { name: 'Sales', stages: buildStages(DEFAULT_STAGES, newId) };
}

describe('stages', () => {
  it('builds the default stages with their probabilities, kinds and categories', () => {
    const { stages } = defaultPipeline();
    expect(stages.map((s) => [s.name, s.probability, s.kind, s.forecastCategory])).toEqual([
      ['Prospecting', 10, 'open', 'pipeline'],
      ['Qualification', 25, 'open', 'pipeline'],
      ['Proposal', 50, 'open', 'best_case'],
      ['Negotiation', 75, 'open', 'commit'],
      ['Won', 100, 'won', 'closed'],
      ['Lost', 0, 'lost', 'omitted'],
    ]);
    expect(new Set(stages.map((s) => s.id)).size).toBe(6);
  });

  it('fixes won stages at 100 % closed and lost stages at 0 % omitted, and defaults the category by kind', () => {
    expect(checkStageInput({ name: 'Won', probability: 90, kind: 'won', forecastCategory: '' }, 's')).toMatchObject({
      ok: false,
      violations: [{ field: 's.probability' }],
    });
    expect(
      checkStageInput({ name: 'Lost', probability: 0, kind: 'lost', forecastCategory: 'commit' }, 's'),
    ).toMatchObject({ ok: false, violations: [{ field: 's.forecastCategory' }] });
    expect(checkStageInput({ name: 'Demo', probability: 101, kind: 'open', forecastCategory: '' }, 's')).toMatchObject({
      ok: false,
      violations: [{ field: 's.probability' }],
    });
    expect(
      checkStageInput({ name: 'Demo', probability: 40, kind: 'open', forecastCategory: 'closed' }, 's'),
    ).toMatchObject({ ok: false });
    expect(checkStageInput({ name: 'Demo', probability: 40, kind: 'maybe', forecastCategory: '' }, 's')).toMatchObject({
      ok: false,
      violations: [{ field: 's.kind' }],
    });
    expect(checkStageInput({ name: ' Demo ', probability: 40, kind: 'open', forecastCategory: '' }, 's')).toEqual({
      ok: true,
      stage: { name: 'Demo', probability: 40, kind: 'open', forecastCategory: 'pipeline' },
    });
  });

  it('refuses a pipeline without an open, a won or a lost stage, or with duplicate names', () => {
    expect(() =>
      buildStages(
        [
          { name: 'A', probability: 10, kind: 'open', forecastCategory: '' },
          { name: 'W', probability: 100, kind: 'won', forecastCategory: '' },
        ],
        newId,
      ),
    ).toThrow(/lost stage/);
    expect(() =>
      buildStages(
        [...DEFAULT_STAGES, { name: 'proposal', probability: 60, kind: 'open', forecastCategory: '' }],
        newId,
      ),
    ).toThrow(/unique/);
  });
});

describe('changing a pipeline', () => {
  it('adds a stage after the last open stage, or before a named one', () => {
    const pipeline = defaultPipeline();
    const appended = addStage(
      pipeline,
      { name: 'Contract', probability: 90, kind: 'open', forecastCategory: 'commit' },
      'new',
      '',
    );
    expect(appended.map((s) => s.name)).toEqual([
      'Prospecting',
      'Qualification',
      'Proposal',
      'Negotiation',
      'Contract',
      'Won',
      'Lost',
    ]);
    const inserted = addStage(
      pipeline,
      { name: 'Demo', probability: 30, kind: 'open', forecastCategory: '' },
      'new',
      's2',
    );
    expect(inserted.map((s) => s.name).slice(0, 3)).toEqual(['Prospecting', 'Demo', 'Qualification']);
    expect(() =>
      addStage(pipeline, { name: 'proposal', probability: 30, kind: 'open', forecastCategory: '' }, 'new', ''),
    ).toThrow(/already called/);
  });

  it('renames and re-weights a stage but never changes its kind', () => {
    const pipeline = defaultPipeline();
    const stages = updateStage(pipeline, 's3', { name: 'Quote', probability: 60, kind: '', forecastCategory: '' }, [
      'name',
      'probability',
    ]);
    expect(stages[2]).toMatchObject({
      id: 's3',
      name: 'Quote',
      probability: 60,
      kind: 'open',
      forecastCategory: 'best_case',
    });
    expect(() =>
      updateStage(pipeline, 's3', { name: '', probability: 0, kind: 'won', forecastCategory: '' }, ['kind']),
    ).toThrow(/kind of a stage cannot change/);
    expect(() =>
      updateStage(pipeline, 's5', { name: '', probability: 50, kind: '', forecastCategory: '' }, ['probability']),
    ).toThrow(/must be 100 for a won stage/);
  });

  it('reorders the active stages, keeping archived ones at the end', () => {
    const pipeline = defaultPipeline();
    const since = new Date('2031-01-01T00:00:00Z');
    const marked = { ...pipeline, stages: beginArchive(pipeline, 's2', since) };
    const archived = { ...pipeline, stages: finishArchive(marked, 's2', since, 0)?.stages ?? [] };
    const order = ['s3', 's1', 's4', 's5', 's6'];
    expect(reorderStages(archived, order).map((s) => s.id)).toEqual([...order, 's2']);
    expect(() => reorderStages(archived, ['s3', 's1', 's4', 's5'])).toThrow();
    expect(() => reorderStages(archived, ['s3', 's1', 's4', 's5', 's6', 's6'])).toThrow();
  });
});

describe('archiving a stage without locks', () => {
  const since = new Date('2031-01-01T00:00:00Z');

  it('marks the stage as taking no deals, then archives it when none is in it or reverts the mark', () => {
    const pipeline = defaultPipeline();
    const marked = { ...pipeline, stages: beginArchive(pipeline, 's2', since) };
    const stage = marked.stages.find((s) => s.id === 's2') as Stage;
    expect(stage).toMatchObject({ archived: false, archivingSince: since });
    expect(takesDeals(stage)).toBe(false);
    const done = finishArchive(marked, 's2', since, 0);
    expect(done?.outcome).toBe('archived');
    expect(done?.stages.find((s) => s.id === 's2')).toMatchObject({ archived: true, archivingSince: null });
    const reverted = finishArchive(marked, 's2', since, 2);
    expect(reverted?.outcome).toBe('reverted');
    expect(takesDeals(reverted?.stages.find((s) => s.id === 's2') as Stage)).toBe(true);
  });

  it('finishes only the archive it began', () => {
    const pipeline = defaultPipeline();
    const marked = { ...pipeline, stages: beginArchive(pipeline, 's2', since) };
    expect(finishArchive(marked, 's2', new Date(since.getTime() + 1), 0)).toBeUndefined();
    expect(finishArchive(pipeline, 's2', since, 0)).toBeUndefined();
  });

  it('refuses the last stage of a kind, counting stages being archived as gone, and a second archive at once', () => {
    const pipeline = defaultPipeline();
    expect(() => beginArchive(pipeline, 's5', since)).toThrow(
      expect.objectContaining({ code: 'FAILED_PRECONDITION', reason: 'LAST_STAGE_OF_KIND' }),
    );
    const three = { ...pipeline, stages: pipeline.stages.filter((s) => ['s1', 's2', 's5', 's6'].includes(s.id)) };
    const first = { ...three, stages: beginArchive(three, 's1', since) };
    expect(() => beginArchive(first, 's2', since)).toThrow(expect.objectContaining({ reason: 'LAST_STAGE_OF_KIND' }));
    expect(() => beginArchive(first, 's1', since)).toThrow(expect.objectContaining({ reason: 'STAGE_ARCHIVING' }));
  });

  it('names the stage and the number of deals it still holds', () => {
    expect(stageHasDeals({ id: 's2', name: 'Qualification' }, 3)).toMatchObject({
      code: 'FAILED_PRECONDITION',
      reason: 'STAGE_HAS_DEALS',
      metadata: { stageId: 's2', dealCount: '3' },
      message: expect.stringContaining('Qualification'),
    });
  });

  it('treats an archive left unfinished past its settle time as stale', () => {
    const pipeline = defaultPipeline();
    const stage = beginArchive(pipeline, 's2', since).find((s) => s.id === 's2') as Stage;
    expect(isStaleArchive(stage, new Date(since.getTime() + 5_000), 5_000)).toBe(false);
    expect(isStaleArchive(stage, new Date(since.getTime() + 5_001), 5_000)).toBe(true);
    expect(isStaleArchive(pipeline.stages[1] as Stage, new Date(since.getTime() + 9_999), 5_000)).toBe(false);
  });
});
