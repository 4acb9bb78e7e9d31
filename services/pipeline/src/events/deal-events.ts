// Outbox entries for deal changes. Each change publishes one "state" event (created, updated, stage_changed,
// deleted, restored) and, when it closes or reopens the deal, a "signal" (won, lost, reopened) with the same
// payload. Payloads carry the deal before and after, so consumers need no call-back.
import { toOutboxEntry, type OutboxEntry, type Principal } from '@crm/service-kit';
import { DealChanged } from '@crm/proto/crm/pipeline/v1/events';
import type { CloseSignal } from '../domain/stage-move';
import { toDealSnapshot, type StageLookup } from '../rpc/deal.mapper';
import type { DealDocument } from '../store/deal.schema';

export type DealStateEvent = 'deal.created' | 'deal.updated' | 'deal.stage_changed' | 'deal.deleted' | 'deal.restored';
export type DealSignalEvent = `deal.${CloseSignal}`;

/** The state events, which the projections apply; signals repeat a state event and are not applied again. */
export const DEAL_STATE_EVENTS: readonly DealStateEvent[] = [
  'deal.created',
  'deal.updated',
  'deal.stage_changed',
  'deal.deleted',
  'deal.restored',
];

export const DEAL_CHANGED_TYPE = 'crm.pipeline.v1.DealChanged';

export interface DealEventSpec {
  state: DealStateEvent;
  signal?: CloseSignal;
  previous: DealDocument | undefined;
  next: DealDocument;
  changedFields: string[];
  stageOf: StageLookup;
  actor: Pick<Principal, 'userId' | 'clientId'>;
  namespace: string;
}

/** Built with the version the deal will have after the write, as ScopedRepository asks. */
export function dealEvents(spec: DealEventSpec): (version: number) => OutboxEntry[] {
  return (version) => {
    const { previous, next } = spec;
    const payload = DealChanged.encode({
      deal: toDealSnapshot(next, spec.stageOf(next.pipelineId, next.stageId), version),
      previous: previous
        ? toDealSnapshot(previous, spec.stageOf(previous.pipelineId, previous.stageId), previous.version)
        : undefined,
      changedFields: spec.changedFields,
    }).finish();
    const types: string[] = [spec.state, ...(spec.signal ? [`deal.${spec.signal}`] : [])];
    return types.map((type) =>
      toOutboxEntry(
        {
          type,
          tenantId: next.tenantId,
          aggregateId: next._id,
          aggregateVersion: version,
          ownerId: next.ownerId,
          teamId: next.teamId,
          payloadType: DEAL_CHANGED_TYPE,
          payload,
        },
        spec.actor,
        spec.namespace,
      ),
    );
  };
}
