import { toEventMessage, type EventMessage, type Principal } from '@crm/service-kit';
import { PipelineChanged } from '@crm/proto/crm/pipeline/v1/events';
import { toPipelineProto } from '../rpc/pipeline.mapper';
import type { PipelineRecord } from '../store/pipeline.records';

export const PIPELINE_CHANGED_TYPE = 'crm.pipeline.v1.PipelineChanged';

/** pipeline.created or pipeline.updated, carrying the whole pipeline after the change. */
export function pipelineEvent(
  type: 'pipeline.created' | 'pipeline.updated',
  changedFields: string[],
  actor: Pick<Principal, 'userId' | 'clientId'>,
  namespace: string,
): (next: PipelineRecord) => EventMessage[] {
  return (next) => [
    toEventMessage(
      {
        type,
        tenantId: next.tenantId,
        aggregateId: next._id,
        aggregateVersion: next.version,
        // Pipelines have no owner: they are tenant configuration.
        ownerId: '',
        teamId: '',
        payloadType: PIPELINE_CHANGED_TYPE,
        payload: PipelineChanged.encode({ pipeline: toPipelineProto(next), changedFields }).finish(),
      },
      actor,
      namespace,
    ),
  ];
}
