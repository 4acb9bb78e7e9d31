import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  /** Export spans here (tests pass an InMemorySpanExporter); otherwise OTLP, and only when its endpoint is set. */
  spanExporter?: SpanExporter;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

let active: Telemetry | undefined;

/**
 * Must run before grpc-js, http and mongodb are first required, so the instrumentations can patch them; that is
 * why processes load it with `node --require @crm/service-kit/otel`.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return active;
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: spanProcessorsFor(options.spanExporter),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(livez|readyz|metrics)/.test(req.url ?? '') }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  active = { shutdown: () => sdk.shutdown() };
  return active;
}

export async function shutdownTelemetry(): Promise<void> {
  await active?.shutdown();
  active = undefined;
}

function spanProcessorsFor(exporter: SpanExporter | undefined): SpanProcessor[] {
  if (exporter) return [new SimpleSpanProcessor(exporter)];
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return [];
  return [new BatchSpanProcessor(new OTLPTraceExporter())];
}
