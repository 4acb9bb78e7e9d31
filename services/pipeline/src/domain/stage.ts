// Stages of a pipeline: what kind of step each is, how likely its deals are won, and where they forecast.
import type { FieldViolation } from '@crm/service-kit';

export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

export interface Stage {
  id: string;
  name: string;
  /** 0..100 */
  probability: number;
  kind: StageKind;
  forecastCategory: ForecastCategory;
  archived: boolean;
  /** Set while an archive is in progress (domain/pipeline: beginArchive): the stage takes no new deals. */
  archivingSince?: Date | null;
}

/** Whether deals may enter the stage: it is neither archived nor being archived. */
export function takesDeals(stage: Stage): boolean {
  return !stage.archived && !stage.archivingSince;
}

export interface StageInput {
  name: string;
  probability: number;
  kind: string;
  /** Empty takes the kind's default. */
  forecastCategory: string;
}

export const MAX_STAGE_NAME_LENGTH = 60;

/** The stages a tenant's first pipeline gets. */
export const DEFAULT_STAGES: readonly StageInput[] = [
  { name: 'Prospecting', probability: 10, kind: 'open', forecastCategory: 'pipeline' },
  { name: 'Qualification', probability: 25, kind: 'open', forecastCategory: 'pipeline' },
  { name: 'Proposal', probability: 50, kind: 'open', forecastCategory: 'best_case' },
  { name: 'Negotiation', probability: 75, kind: 'open', forecastCategory: 'commit' },
  { name: 'Won', probability: 100, kind: 'won', forecastCategory: 'closed' },
  { name: 'Lost', probability: 0, kind: 'lost', forecastCategory: 'omitted' },
];

const OPEN_CATEGORIES: readonly ForecastCategory[] = ['pipeline', 'best_case', 'commit', 'omitted'];

export function isStageKind(value: string): value is StageKind {
  return (STAGE_KINDS as readonly string[]).includes(value);
}

export function isForecastCategory(value: string): value is ForecastCategory {
  return (FORECAST_CATEGORIES as readonly string[]).includes(value);
}

export function defaultForecastCategory(kind: StageKind): ForecastCategory {
  if (kind === 'won') return 'closed';
  return kind === 'lost' ? 'omitted' : 'pipeline';
}

export type StageCheck =
  | { ok: true; stage: Omit<Stage, 'id' | 'archived'> }
  | { ok: false; violations: FieldViolation[] };

/**
 * Checks one stage as an admin writes it. Won and lost stages are fixed at 100 % / closed and 0 % / omitted, so
 * that a closed deal always weighs what it is worth and never shows up as pipeline.
 */
export function checkStageInput(input: StageInput, path: string): StageCheck {
  const violations: FieldViolation[] = [];
  const name = input.name.trim();
  if (!name) violations.push({ field: `${path}.name`, description: 'is required' });
  else if (name.length > MAX_STAGE_NAME_LENGTH)
    violations.push({ field: `${path}.name`, description: `must be at most ${MAX_STAGE_NAME_LENGTH} characters` });
  if (!isStageKind(input.kind)) {
    violations.push({ field: `${path}.kind`, description: `must be one of: ${STAGE_KINDS.join(', ')}` });
    return { ok: false, violations };
  }
  const kind = input.kind;
  const category = input.forecastCategory || defaultForecastCategory(kind);
  if (!Number.isInteger(input.probability) || input.probability < 0 || input.probability > 100) {
    violations.push({ field: `${path}.probability`, description: 'must be a whole number from 0 to 100' });
  } else if (kind === 'won' && input.probability !== 100) {
    violations.push({ field: `${path}.probability`, description: 'must be 100 for a won stage' });
  } else if (kind === 'lost' && input.probability !== 0) {
    violations.push({ field: `${path}.probability`, description: 'must be 0 for a lost stage' });
  }
  violations.push(...categoryViolations(kind, category, `${path}.forecastCategory`));
  if (violations.length > 0 || !isForecastCategory(category)) return { ok: false, violations };
  return { ok: true, stage: { name, probability: input.probability, kind, forecastCategory: category } };
}

function categoryViolations(kind: StageKind, category: string, field: string): FieldViolation[] {
  if (!isForecastCategory(category))
    return [{ field, description: `must be one of: ${FORECAST_CATEGORIES.join(', ')}` }];
  if (kind === 'won' && category !== 'closed') return [{ field, description: 'must be closed for a won stage' }];
  if (kind === 'lost' && category !== 'omitted') return [{ field, description: 'must be omitted for a lost stage' }];
  if (kind === 'open' && !OPEN_CATEGORIES.includes(category))
    return [{ field, description: `must be one of ${OPEN_CATEGORIES.join(', ')} for an open stage` }];
  return [];
}
