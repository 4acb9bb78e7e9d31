// Events this service publishes on the WORKFLOW stream (crm.task.*, crm.workflow.*), each with the record's new
// version and owner, so the gateway can relay them over SSE to whoever may see the record.
import { toEventMessage, type Actor, type EventMessage, type TenantRecord } from '@crm/service-kit';
import {
  FormChanged,
  RuleChanged,
  RunChanged,
  TaskChanged,
  WebhookDeliveryChanged,
  WebhookEndpointChanged,
} from '@crm/proto/crm/workflow/v1/events';
import type { DeliveryDoc, EndpointDoc, FormDoc, RuleDoc } from '../domain/records';
import type { RunDoc } from '../domain/run';
import type { TaskDoc } from '../domain/task';
import { toDeliveryProto, toEndpointProto, toFormProto, toRuleProto, toRunProto, toTaskProto } from '../rpc/mappers';

export class WorkflowEvents {
  constructor(private readonly namespace: string) {}

  private message(type: string, record: TenantRecord, payloadType: string, payload: Uint8Array, actor: Actor) {
    return toEventMessage(
      {
        type,
        tenantId: record.tenantId,
        aggregateId: record._id,
        aggregateVersion: record.version,
        ownerId: record.ownerId,
        teamId: record.teamId,
        payloadType,
        payload,
      },
      actor,
      this.namespace,
    );
  }

  task(type: string, actor: Actor, changedFields: string[] = []) {
    return (task: TaskDoc): EventMessage[] => [
      this.message(
        type,
        task,
        'crm.workflow.v1.TaskChanged',
        TaskChanged.encode({ task: toTaskProto(task), changedFields }).finish(),
        actor,
      ),
    ];
  }

  rule(type: string, actor: Actor) {
    return (rule: RuleDoc): EventMessage[] => [
      this.message(
        type,
        rule,
        'crm.workflow.v1.RuleChanged',
        RuleChanged.encode({ rule: toRuleProto(rule) }).finish(),
        actor,
      ),
    ];
  }

  run(type: string | undefined, actor: Actor) {
    return (run: RunDoc): EventMessage[] =>
      type
        ? [
            this.message(
              type,
              run,
              'crm.workflow.v1.RunChanged',
              RunChanged.encode({ run: toRunProto(run, { withDetail: false }) }).finish(),
              actor,
            ),
          ]
        : [];
  }

  endpoint(type: string | undefined, actor: Actor) {
    return (endpoint: EndpointDoc): EventMessage[] =>
      type
        ? [
            this.message(
              type,
              endpoint,
              'crm.workflow.v1.WebhookEndpointChanged',
              WebhookEndpointChanged.encode({ endpoint: toEndpointProto(endpoint) }).finish(),
              actor,
            ),
          ]
        : [];
  }

  delivery(type: string | undefined, actor: Actor) {
    return (delivery: DeliveryDoc): EventMessage[] =>
      type
        ? [
            this.message(
              type,
              delivery,
              'crm.workflow.v1.WebhookDeliveryChanged',
              WebhookDeliveryChanged.encode({ delivery: { ...toDeliveryProto(delivery), payload: '' } }).finish(),
              actor,
            ),
          ]
        : [];
  }

  form(type: string, actor: Actor) {
    return (form: FormDoc): EventMessage[] => [
      this.message(
        type,
        form,
        'crm.workflow.v1.FormChanged',
        FormChanged.encode({ form: toFormProto(form) }).finish(),
        actor,
      ),
    ];
  }
}
