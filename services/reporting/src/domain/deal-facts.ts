// The facts of a deal, from the deal.* events: its latest state, and its stays in stages (one per move, linked to the
// next move). Each event carries the deal after (and before) the change, so the facts are a function of the SET of
// events seen: any order, any duplicates, the same facts. Pure.

export type DealStatus = 'open' | 'won' | 'lost';

/** A deal as of one version, as its events carry it. */
export interface DealState {
  id: string;
  version: number;
  pipelineId: string;
  stageId: string;
  status: DealStatus;
  amountMinor: number;
  currency: string;
  probability: number;
  forecastCategory: string;
  ownerId: string;
  teamId: string;
  contactId: string;
  companyId: string;
  /** ISO calendar date or null. */
  expectedCloseDate: string | null;
  closedAt: Date | null;
  lostReason: string;
  deleted: boolean;
  /** Set by producers that know it (a migrated deal's original creation); else the first event's time stands in. */
  createdAt: Date | null;
}

export interface DealChange {
  eventId: string;
  tenantId: string;
  occurredAt: Date;
  deal: DealState;
  /** The deal before the change; null on creation. */
  previous: DealState | null;
}

/** One row per deal: its newest state. */
export interface DealFact extends Omit<DealState, 'id' | 'createdAt'> {
  tenantId: string;
  dealId: string;
  createdAt: Date;
  /** When the newest version happened. */
  updatedAt: Date;
}

/** A stay of the deal in a stage: entered by one move, left by the next (unset while it is still there). */
export interface StageStay {
  tenantId: string;
  dealId: string;
  /** The deal version that moved it in: the stay's identity. */
  enteredVersion: number;
  pipelineId: string;
  stageId: string;
  /** The deal's status in the stage: won and lost stays are closing moves. */
  status: DealStatus;
  enteredAt: Date;
  /** Amount, currency, owner and team when it entered. */
  amountMinor: number;
  currency: string;
  ownerId: string;
  teamId: string;
  leftAt: Date | null;
  leftVersion: number | null;
  nextStageId: string | null;
  nextStatus: DealStatus | null;
  /** The deal is deleted now: its stays count nowhere. */
  dealDeleted: boolean;
}

export function isClosed(status: DealStatus): boolean {
  return status !== 'open';
}

/** The creation time a change tells: the producer's, or at latest the change itself. */
function createdAtOf(change: DealChange): Date {
  const told = change.deal.createdAt ?? change.previous?.createdAt ?? null;
  return told && told < change.occurredAt ? told : change.occurredAt;
}

export function dealFactOf(change: DealChange): DealFact {
  const { id, createdAt: _createdAt, ...state } = change.deal;
  return {
    ...state,
    tenantId: change.tenantId,
    dealId: id,
    // A closed deal has a close time even if a producer left it out: the change that closed it.
    closedAt: isClosed(state.status) ? (state.closedAt ?? change.occurredAt) : null,
    createdAt: createdAtOf(change),
    updatedAt: change.occurredAt,
  };
}

/** The newest version's state, and the earliest creation time any version told. */
export function mergeDealFacts(stored: DealFact | undefined, incoming: DealFact): DealFact {
  if (!stored) return incoming;
  const newest = incoming.version > stored.version ? incoming : stored;
  const createdAt = incoming.createdAt < stored.createdAt ? incoming.createdAt : stored.createdAt;
  return { ...newest, createdAt };
}

/**
 * The stay a change opens, when it moves the deal into a stage (creation, or another stage or pipeline). It is
 * entered when the change happened; a move into a won or lost stage at the deal's close time, and a creation at the
 * deal's creation time, so that migrated history keeps its dates.
 */
export function stayOpenedBy(change: DealChange): StageStay | null {
  const { deal, previous } = change;
  const moved = !previous || previous.stageId !== deal.stageId || previous.pipelineId !== deal.pipelineId;
  if (!moved) return null;
  const enteredAt =
    isClosed(deal.status) && deal.closedAt ? deal.closedAt : !previous ? createdAtOf(change) : change.occurredAt;
  return {
    tenantId: change.tenantId,
    dealId: deal.id,
    enteredVersion: deal.version,
    pipelineId: deal.pipelineId,
    stageId: deal.stageId,
    status: deal.status,
    enteredAt,
    amountMinor: deal.amountMinor,
    currency: deal.currency,
    ownerId: deal.ownerId,
    teamId: deal.teamId,
    leftAt: null,
    leftVersion: null,
    nextStageId: null,
    nextStatus: null,
    dealDeleted: deal.deleted,
  };
}

/**
 * A deal's stays in version order, each left by the next one (the last is where the deal is). Stays of one version
 * are the same stay: the first one given is kept. `dealDeleted` is the deal's state now.
 */
export function linkStays(stays: readonly StageStay[], dealDeleted: boolean): StageStay[] {
  const byVersion = new Map<number, StageStay>();
  for (const stay of stays) if (!byVersion.has(stay.enteredVersion)) byVersion.set(stay.enteredVersion, stay);
  const ordered = [...byVersion.values()].sort((a, b) => a.enteredVersion - b.enteredVersion);
  return ordered.map((stay, i) => {
    const next = ordered[i + 1];
    return {
      ...stay,
      leftAt: next ? next.enteredAt : null,
      leftVersion: next ? next.enteredVersion : null,
      nextStageId: next ? next.stageId : null,
      nextStatus: next ? next.status : null,
      dealDeleted,
    };
  });
}

/** Whether a stored stay must be written again to match the linked one. */
export function stayChanged(stored: StageStay | undefined, linked: StageStay): boolean {
  return (
    !stored ||
    stored.leftVersion !== linked.leftVersion ||
    stored.leftAt?.getTime() !== linked.leftAt?.getTime() ||
    stored.nextStageId !== linked.nextStageId ||
    stored.nextStatus !== linked.nextStatus ||
    stored.dealDeleted !== linked.dealDeleted
  );
}
