// Telemetry first, so that its instrumentation patches gRPC, HTTP and the database clients before they load.
import '@crm/service-kit/otel';
import { loadReportingConfig } from './config';
import { startReportingService } from './reporting-service';

startReportingService(loadReportingConfig()).catch((error: unknown) => {
  process.stderr.write(
    `reporting service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
