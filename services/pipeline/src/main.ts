// Telemetry first, so that its instrumentation patches gRPC, HTTP and MongoDB before they load.
import '@crm/service-kit/otel';
import { loadPipelineConfig } from './config';
import { startPipelineService } from './pipeline-service';

startPipelineService(loadPipelineConfig()).catch((error: unknown) => {
  process.stderr.write(
    `pipeline service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
