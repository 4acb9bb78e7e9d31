// OpenTelemetry first, so that its instrumentation patches grpc, http and mongodb before they load.
import '@crm/service-kit/otel';
import { loadContactConfig } from './config';
import { startContactService } from './contact-service';

startContactService(loadContactConfig())
  .then((service) => {
    // The kit's SIGTERM sequence closes the store; the import worker stops taking batches before that.
    process.once('SIGTERM', () => void service.worker.stop());
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `contact service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
