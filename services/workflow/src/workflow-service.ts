// Wiring: stores, use cases, gRPC services, timers and the trigger consumers, on the kit's runtime.
import { AssignmentServiceService } from '@crm/proto/crm/workflow/v1/team';
import { FormServiceService } from '@crm/proto/crm/workflow/v1/form';
import { WorkflowServiceService } from '@crm/proto/crm/workflow/v1/rule';
import { RunServiceService } from '@crm/proto/crm/workflow/v1/run';
import { TaskServiceService } from '@crm/proto/crm/workflow/v1/task';
import { WebhookServiceService } from '@crm/proto/crm/workflow/v1/webhook';
import {
  DurableTimers,
  ensurePeerStream,
  runService,
  STREAMS,
  UniqueClaims,
  type RunningService,
} from '@crm/service-kit';
import type { AppDeps } from './app/app-deps';
import { AssignmentService } from './app/assignment.service';
import { FormStepRunner, FormsService } from './app/forms.service';
import { RecordGateway } from './app/record-gateway';
import { BACKFILL_TIMER, RELATIVE_TIMER, RuleEngine, SCHEDULE_TIMER } from './app/rule-engine';
import { RulesAsCode } from './app/rules-as-code';
import { RulesService } from './app/rules.service';
import { RUN_TIMER, RunExecutor } from './app/run-executor';
import { ActionRunner } from './app/step-runner';
import { REMINDER_TIMER, TasksService } from './app/tasks.service';
import { DELIVERY_TIMER, WebhooksService } from './app/webhooks.service';
import { createCrmClients } from './clients/crm-clients';
import type { WorkflowConfig } from './config';
import { SecretBox } from './domain/secret-box';
import { triggerConsumers, TRIGGER_STREAMS } from './events/trigger.consumer';
import { WorkflowEvents } from './events/workflow-events';
import { assignmentHandlers, formHandlers, runHandlers, webhookHandlers } from './rpc/other.rpc';
import { ruleHandlers } from './rpc/rule.rpc';
import { taskHandlers } from './rpc/task.rpc';
import { workflowMigrations } from './store/read-model.migrations';
import { createWorkflowStores } from './store/workflow-store';

export const WORKFLOW_PROTOS = [
  'crm/workflow/v1/rule.proto',
  'crm/workflow/v1/run.proto',
  'crm/workflow/v1/task.proto',
  'crm/workflow/v1/webhook.proto',
  'crm/workflow/v1/form.proto',
  'crm/workflow/v1/team.proto',
];

export interface StartOptions {
  exit?: (code: number) => void;
  /** Tests: the clock of the use cases and timers. */
  clock?: () => Date;
}

export interface WorkflowApp {
  deps: AppDeps;
  rules: RulesService;
  tasks: TasksService;
  engine: RuleEngine;
  executor: RunExecutor;
  webhooks: WebhooksService;
  forms: FormsService;
  assignment: AssignmentService;
}

export interface RunningWorkflowService extends RunningService {
  app: WorkflowApp;
}

export async function startWorkflowService(
  config: WorkflowConfig,
  options: StartOptions = {},
): Promise<RunningWorkflowService> {
  let app: WorkflowApp | undefined;
  let timers: DurableTimers | undefined;
  const running = await runService({
    config,
    streams: [STREAMS.WORKFLOW],
    reflectionProtos: WORKFLOW_PROTOS,
    readModel: { migrations: workflowMigrations },
    exit: options.exit,
    wire: async (kit) => {
      const db = kit.readModel!.db;
      const clock = options.clock ?? (() => new Date());
      // Every workflow timer stands for one thing (a run, a delivery, a reminder): no order between them to keep.
      timers = new DurableTimers(db, {
        log: kit.log,
        metrics: kit.metrics,
        clock,
        concurrency: config.TIMER_CONCURRENCY,
      });
      const stores = createWorkflowStores({
        mongo: kit.mongo,
        db,
        events: kit.events,
        publisher: kit.publisher,
        log: kit.log,
      });
      const deps: AppDeps = {
        config,
        log: kit.log,
        stores,
        db,
        events: new WorkflowEvents(config.NATS_NAMESPACE),
        timers,
        clients: createCrmClients(
          { contact: config.CONTACT_GRPC_URL, pipeline: config.PIPELINE_GRPC_URL, ticket: config.TICKET_GRPC_URL },
          kit.serviceToken,
        ),
        secrets: new SecretBox(config.WORKFLOW_SECRET_KEY),
        ruleKeys: new UniqueClaims(kit.mongo, {
          collection: 'rule_keys',
          holderExists: async (_tenant, holderId) => Boolean(await stores.rules.load(holderId)),
        }),
        clock,
        serviceActor: { userId: `service:${config.OIDC_CLIENT_ID}`, clientId: config.OIDC_CLIENT_ID },
      };
      const rules = new RulesService(deps);
      const tasks = new TasksService(deps);
      const executor = new RunExecutor(deps);
      const webhooks = new WebhooksService(deps);
      const engine = new RuleEngine(deps, executor, webhooks);
      const assignment = new AssignmentService(deps, tasks);
      const forms = new FormsService(deps, executor);
      const actions = new ActionRunner(deps, tasks, new RecordGateway(deps.clients), assignment, webhooks);
      executor.setRunner(new FormStepRunner(deps, tasks, assignment, actions));
      webhooks.onSettled = (delivery) => executor.resume(delivery.runId);
      rules.onChange((tenantId, doc, definition) => engine.ruleChanged(tenantId, doc, definition));
      timers
        .on(RUN_TIMER, (t) => executor.onTimer(t))
        .on(DELIVERY_TIMER, (t) => webhooks.onTimer(t))
        .on(REMINDER_TIMER, (t) => tasks.remind(t))
        .on(RELATIVE_TIMER, (t) => engine.onRelativeTimer(t))
        .on(SCHEDULE_TIMER, (t) => engine.onScheduleTimer(t))
        .on(BACKFILL_TIMER, (t) => engine.onBackfillTimer(t));
      const code = new RulesAsCode(deps, rules);
      kit.grpc.addService('crm.workflow.v1.WorkflowService', WorkflowServiceService, ruleHandlers(rules, code, engine));
      kit.grpc.addService('crm.workflow.v1.RunService', RunServiceService, runHandlers(deps, executor));
      kit.grpc.addService('crm.workflow.v1.TaskService', TaskServiceService, taskHandlers(tasks));
      kit.grpc.addService('crm.workflow.v1.WebhookService', WebhookServiceService, webhookHandlers(webhooks));
      kit.grpc.addService('crm.workflow.v1.FormService', FormServiceService, formHandlers(forms));
      kit.grpc.addService(
        'crm.workflow.v1.AssignmentService',
        AssignmentServiceService,
        assignmentHandlers(assignment),
      );
      for (const { stream } of TRIGGER_STREAMS)
        if (stream !== 'WORKFLOW') await ensurePeerStream(kit.bus, STREAMS[stream]);
      app = { deps, rules, tasks, engine, executor, webhooks, forms, assignment };
      timers.start();
      return {
        stores: Object.values(stores) as never,
        consumers: triggerConsumers(engine, { concurrency: config.TRIGGER_CONCURRENCY, handled: kit.handled }),
      };
    },
  });
  if (!app || !timers) throw new Error('workflow service wiring did not run');
  const started = app;
  const startedTimers = timers;
  const shutdown = async (reason: string) => {
    await startedTimers.stop();
    await started.executor.drain();
    await started.webhooks.drain();
    await running.shutdown(reason);
    started.deps.clients.close();
  };
  return { ...running, shutdown, app: started };
}
