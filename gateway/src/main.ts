// Telemetry first, so http, grpc-js and the rest are patched before they are loaded.
import '@crm/service-kit/otel';
import { loadConfig } from '@crm/service-kit/edge';
import { gatewayEnvSchema } from './config';
import { startGateway } from './gateway';

startGateway(loadConfig(gatewayEnvSchema)).catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
