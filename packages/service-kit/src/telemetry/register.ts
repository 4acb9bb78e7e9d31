// Loaded with `node --require @crm/service-kit/otel dist/main.js`, before the app's own modules.
// Tracing costs every request (a span per HTTP and gRPC call, async context on every callback), so it is started only
// when there is somewhere to send the spans; without an endpoint not even the SDK is loaded.
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT && process.env.OTEL_SDK_DISABLED !== 'true') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./telemetry') as typeof import('./telemetry')).startTelemetry({
    serviceName: process.env.SERVICE_NAME ?? 'crm',
  });
}
