import type { CustomFieldDefinition as KitDefinition } from '@crm/service-kit';
import type { CustomFieldDefinition, Pipeline, Stage as StageMessage } from '@crm/proto/crm/pipeline/v1/pipeline';
import type { Stage } from '../domain/stage';
import type { PipelineRecord } from '../store/pipeline.records';

export function toStageProto(stage: Stage): StageMessage {
  return {
    id: stage.id,
    name: stage.name,
    probability: stage.probability,
    kind: stage.kind,
    forecastCategory: stage.forecastCategory,
    archived: stage.archived,
    archiving: Boolean(stage.archivingSince),
  };
}

export function toPipelineProto(doc: PipelineRecord): Pipeline {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    name: doc.name,
    stages: doc.stages.map(toStageProto),
    isDefault: doc.isDefault,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toDefinitionProto(definition: KitDefinition): CustomFieldDefinition {
  return {
    key: definition.key,
    label: definition.label,
    type: definition.type,
    required: definition.required,
    archived: definition.archived,
    description: definition.description ?? '',
    options: (definition.options ?? []).map((o) => ({ value: o.value, label: o.label, archived: o.archived ?? false })),
    maxLength: definition.maxLength,
    min: definition.min,
    max: definition.max,
    integer: definition.integer ?? false,
  };
}

/**
 * What an admin sent, as the kit's definition input. Proto3 cannot leave a repeated or bool field out, so empty
 * ones are dropped here: the kit rejects settings that do not apply to a type rather than ignoring them.
 */
export function fromDefinitionProto(message: CustomFieldDefinition): Record<string, unknown> {
  const input: Record<string, unknown> = {
    key: message.key,
    label: message.label,
    type: message.type,
    required: message.required,
    archived: message.archived,
  };
  if (message.description) input.description = message.description;
  if (message.options.length > 0)
    input.options = message.options.map((o) =>
      o.archived ? { value: o.value, label: o.label, archived: true } : { value: o.value, label: o.label },
    );
  if (message.maxLength !== undefined) input.maxLength = message.maxLength;
  if (message.min !== undefined) input.min = message.min;
  if (message.max !== undefined) input.max = message.max;
  if (message.integer) input.integer = true;
  return input;
}
