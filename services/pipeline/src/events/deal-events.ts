// The events of deal changes. Each change publishes one "state" event (created, updated, stage_changed, deleted,
// restored) and, when it closes or reopens the deal, a "signal" (won, lost, reopened) with the same payload and
// version. Payloads carry the deal before and after, so consumers need no call-back.
import { toEventMessage, type EventMessage, type Principal } from '@crm/service-kit';
import { DealChanged } from '@crm/proto/crm/pipeline/v1/events';
import type { CloseSignal } from '../domain/stage-move';
import { toDealSnapshot, type StageLookup } from '../rpc/deal.mapper';
import type { DealRecord } from '../store/deal.records';

export type DealStateEvent = 'deal.created' | 'deal.updated' | 'deal.stage_changed' | 'deal.deleted' | 'deal.restored';
export type DealSignalEvent = `deal.${CloseSignal}`;

export const DEAL_CHANGED_TYPE = 'crm.pipeline.v1.DealChanged';

export interface DealEventSpec {
  state: DealStateEvent;
  signal?: CloseSignal;
  previous: DealRecord | undefined;
  changedFields: string[];
  stageOf: StageLookup;
  actor: Pick<Principal, 'userId' | 'clientId'>;
  namespace: string;
  /** When the change happened, if not now: an imported deal's history keeps its own dates. */
  occurredAt?: Date;
  /** When the signal (won, lost, reopened) happened, if not when the change did: the close date of an imported deal. */
  signalAt?: Date;
}

/** The messages of one change, built from the deal as it will be stored (with its new version). */
export function dealEvents(spec: DealEventSpec): (next: DealRecord) => EventMessage[] {
  return (next) => {
    const { previous } = spec;
    const payload = DealChanged.encode({
      deal: toDealSnapshot(next, spec.stageOf(next.pipelineId, next.stageId)),
      previous: previous ? toDealSnapshot(previous, spec.stageOf(previous.pipelineId, previous.stageId)) : undefined,
      changedFields: spec.changedFields,
    }).finish();
    const types: Array<[string, Date | undefined]> = [
      [spec.state, spec.occurredAt],
      ...(spec.signal ? [[`deal.${spec.signal}`, spec.signalAt ?? spec.occurredAt] as [string, Date | undefined]] : []),
    ];
    return types.map(([type, occurredAt]) =>
      toEventMessage(
        {
          type,
          tenantId: next.tenantId,
          aggregateId: next._id,
          aggregateVersion: next.version,
          ownerId: next.ownerId,
          teamId: next.teamId,
          payloadType: DEAL_CHANGED_TYPE,
          payload,
          occurredAt,
        },
        spec.actor,
        spec.namespace,
      ),
    );
  };
}
