// Stage moves: entering a won or lost stage closes a deal, entering an open one reopens it, and every change of
// stage is recorded in the deal's history.
import { invalidFields } from './invalid-fields';
import { ServiceError } from '@crm/service-kit';
import type { DealFields, DealStatus, StageVisit } from './deal';
import { MAX_TEXT_LENGTH } from './deal';
import { firstOpenStage } from './pipeline';
import { takesDeals, type Stage } from './stage';

export type CloseSignal = 'won' | 'lost' | 'reopened';

export type MovableDeal = Pick<DealFields, 'stageId' | 'status' | 'lostReason' | 'closedAt' | 'stageHistory'>;

export interface MoveOutcome {
  stageId: string;
  status: DealStatus;
  lostReason: string;
  closedAt: Date | null;
  stageHistory: StageVisit[];
  /** Set when the move closed or reopened the deal. */
  signal: CloseSignal | undefined;
}

export interface MoveInput {
  deal: MovableDeal;
  to: Stage;
  /** Lost reason given with the move; a lost deal needs one. */
  lostReason: string;
  by: string;
  now: Date;
}

export function moveToStage({ deal, to, lostReason, by, now }: MoveInput): MoveOutcome {
  if (!takesDeals(to))
    throw new ServiceError(
      'FAILED_PRECONDITION',
      `Stage "${to.name}" is ${to.archived ? 'archived' : 'being archived'} and takes no deals`,
      { reason: 'STAGE_ARCHIVED' },
    );
  if (lostReason.length > MAX_TEXT_LENGTH)
    throw invalidFields([{ field: 'lostReason', description: `must be at most ${MAX_TEXT_LENGTH} characters` }]);
  const status: DealStatus = to.kind;
  const stageHistory = to.id === deal.stageId ? deal.stageHistory : enterStage(deal.stageHistory, to.id, by, now);
  if (status === 'open') {
    return {
      stageId: to.id,
      status,
      lostReason: '',
      closedAt: null,
      stageHistory,
      signal: deal.status === 'open' ? undefined : 'reopened',
    };
  }
  const reason = status === 'lost' ? lostReason.trim() || deal.lostReason : '';
  if (status === 'lost' && !reason)
    throw invalidFields([{ field: 'lostReason', description: 'is required when a deal is lost' }]);
  // Moving between two stages of the same closed kind is not a new close.
  const sameClose = deal.status === status;
  return {
    stageId: to.id,
    status,
    lostReason: reason,
    closedAt: sameClose ? deal.closedAt : now,
    stageHistory,
    signal: sameClose ? undefined : status,
  };
}

/** The stage a reopened deal goes back to: the one asked for, else the last open stage it was in, else the first. */
export function reopenTarget(deal: MovableDeal, stages: readonly Stage[], requestedStageId: string): Stage {
  if (deal.status === 'open')
    throw new ServiceError('FAILED_PRECONDITION', 'The deal is open; only won or lost deals can be reopened', {
      reason: 'DEAL_NOT_CLOSED',
    });
  if (requestedStageId) {
    const stage = stages.find((s) => s.id === requestedStageId);
    if (!stage || !takesDeals(stage) || stage.kind !== 'open')
      throw invalidFields([{ field: 'stageId', description: "must be an open, active stage of the deal's pipeline" }]);
    return stage;
  }
  const openIds = new Set(stages.filter((s) => s.kind === 'open' && takesDeals(s)).map((s) => s.id));
  const previous = [...deal.stageHistory].reverse().find((visit) => openIds.has(visit.stageId));
  const stage = previous ? stages.find((s) => s.id === previous.stageId) : firstOpenStage(stages);
  if (!stage)
    throw new ServiceError('FAILED_PRECONDITION', 'The pipeline has no open stage to reopen into', {
      reason: 'NO_OPEN_STAGE',
    });
  return stage;
}

/** Closes the current visit and opens one for the new stage. */
export function enterStage(history: readonly StageVisit[], stageId: string, by: string, now: Date): StageVisit[] {
  const closed = history.map((visit) => (visit.leftAt ? visit : { ...visit, leftAt: now }));
  return [...closed, { stageId, enteredAt: now, leftAt: null, by }];
}
