// Loaded with `node --require @crm/service-kit/otel dist/main.js`, before the app's own modules.
import { startTelemetry } from './telemetry';

startTelemetry({ serviceName: process.env.SERVICE_NAME ?? 'crm' });
