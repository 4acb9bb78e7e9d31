import { toOutboxEntry, type OutboxEntry, type Principal } from '@crm/service-kit';
import { PipelineChanged } from '@crm/proto/crm/pipeline/v1/events';
import { toPipelineProto } from '../rpc/pipeline.mapper';
import type { PipelineDocument } from '../store/pipeline.repository';

export const PIPELINE_CHANGED_TYPE = 'crm.pipeline.v1.PipelineChanged';

/** pipeline.created or pipeline.updated, carrying the whole pipeline after the change. */
export function pipelineEvent(
  type: 'pipeline.created' | 'pipeline.updated',
  doc: PipelineDocument,
  changedFields: string[],
  actor: Pick<Principal, 'userId' | 'clientId'>,
  namespace: string,
): OutboxEntry {
  const payload = PipelineChanged.encode({ pipeline: toPipelineProto(doc), changedFields }).finish();
  // Pipelines have no owner: they are tenant configuration.
  return toOutboxEntry(
    {
      type,
      tenantId: doc.tenantId,
      aggregateId: doc._id,
      aggregateVersion: doc.version,
      ownerId: '',
      teamId: '',
      payloadType: PIPELINE_CHANGED_TYPE,
      payload,
    },
    actor,
    namespace,
  );
}
