import { context, propagation, type Context } from '@opentelemetry/api';

/** W3C trace context of the active span, as carrier headers (traceparent, tracestate). */
export function currentTraceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function contextFromHeaders(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), carrier, {
    keys: (c) => Object.keys(c),
    get: (c, key) => c[key],
  });
}
