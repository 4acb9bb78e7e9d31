import { addStage, archiveStage, buildStages, reorderStages, updateStage, type PipelineState } from './pipeline';
import { checkStageInput, DEFAULT_STAGES } from './stage';

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
    const archived = { ...pipeline, stages: archiveStage(pipeline, 's2', 0) };
    const order = ['s3', 's1', 's4', 's5', 's6'];
    expect(reorderStages(archived, order).map((s) => s.id)).toEqual([...order, 's2']);
    expect(() => reorderStages(archived, ['s3', 's1', 's4', 's5'])).toThrow();
    expect(() => reorderStages(archived, ['s3', 's1', 's4', 's5', 's6', 's6'])).toThrow();
  });

  it('refuses to archive a stage that holds deals, saying how many, or the last stage of a kind', () => {
    const pipeline = defaultPipeline();
    expect(() => archiveStage(pipeline, 's2', 3)).toThrow(
      expect.objectContaining({
        code: 'FAILED_PRECONDITION',
        reason: 'STAGE_HAS_DEALS',
        metadata: { stageId: 's2', dealCount: '3' },
      }),
    );
    expect(() => archiveStage(pipeline, 's5', 0)).toThrow(
      expect.objectContaining({ code: 'FAILED_PRECONDITION', reason: 'LAST_STAGE_OF_KIND' }),
    );
    expect(archiveStage(pipeline, 's2', 0).find((s) => s.id === 's2')?.archived).toBe(true);
  });
});
