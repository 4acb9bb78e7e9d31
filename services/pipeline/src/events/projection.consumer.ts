// Keeps the board and forecast projections current from the service's own deal events. Each event's change is
// applied to each projection document exactly once (the document remembers the event ids it applied), and
// changes commute, so neither redelivery nor reordering makes the totals drift.
import type { ConsumerSpec, EventHandler } from '@crm/service-kit';
import type { Envelope } from '@crm/proto/crm/events/v1/envelope';
import { DealChanged, type DealSnapshot } from '@crm/proto/crm/pipeline/v1/events';
import { forecastDateOf, type DealStatus } from '../domain/deal';
import { projectionChanges, type DealFacts } from '../domain/projection';
import type { ProjectionRepository } from '../store/projection.repository';
import { DEAL_STATE_EVENTS } from './deal-events';

export const PROJECTION_CONSUMER = 'pipeline-projections';

export function projectionConsumer(projections: ProjectionRepository): ConsumerSpec {
  return {
    stream: 'PIPELINE',
    durable: PROJECTION_CONSUMER,
    filterSubjects: DEAL_STATE_EVENTS.map((type) => `crm.${type}`),
    // Idempotence lives in the projection documents themselves, in the same write as the change.
    handled: undefined,
    handler: applyDealEvent(projections),
  };
}

export function applyDealEvent(projections: ProjectionRepository): EventHandler {
  return async (event: Envelope) => {
    const payload = event.payload?.value;
    if (!payload) throw new Error(`event ${event.id} has no payload`);
    const { deal, previous } = DealChanged.decode(payload);
    if (!deal) throw new Error(`event ${event.id} carries no deal`);
    for (const change of projectionChanges(previous ? factsOf(previous) : undefined, factsOf(deal))) {
      await projections.apply(event.tenantId, event.id, change);
    }
  };
}

export function factsOf(snapshot: DealSnapshot): DealFacts {
  const status = snapshot.status as DealStatus;
  return {
    pipelineId: snapshot.pipelineId,
    stageId: snapshot.stageId,
    status,
    ownerId: snapshot.ownerId,
    teamId: snapshot.teamId,
    currency: snapshot.amount?.currency ?? '',
    amountMinor: snapshot.amount?.amountMinor ?? 0,
    forecastDate: forecastDateOf({
      status,
      closedAt: snapshot.closedAt ?? null,
      expectedCloseDate: snapshot.expectedCloseDate,
    }),
    deleted: snapshot.deleted,
  };
}
