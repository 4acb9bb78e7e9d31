// OpenTelemetry first, so that its instrumentation patches grpc, http and mongodb before they load.
import '@crm/service-kit/otel';
import { loadWorkflowConfig } from './config';
import { startWorkflowService } from './workflow-service';

startWorkflowService(loadWorkflowConfig()).catch((error: unknown) => {
  process.stderr.write(
    `workflow service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
