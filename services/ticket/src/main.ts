// Telemetry first, so that its instrumentation patches gRPC, HTTP and MongoDB before they load.
import '@crm/service-kit/otel';
import { loadTicketConfig } from './config';
import { startTicketService } from './ticket-service';

startTicketService(loadTicketConfig()).catch((error: unknown) => {
  process.stderr.write(
    `ticket service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
