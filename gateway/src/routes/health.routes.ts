import { z } from 'zod';
import type { ReadinessCheck } from '@crm/service-kit/edge';
import { defineRoute, type Route } from '../http/route';
import { ok } from './common-responses';

const healthSchema = z
  .object({ status: z.string(), checks: z.record(z.string(), z.enum(['ok', 'failing'])).optional() })
  .meta({ id: 'Health' });

export interface Readiness {
  checks: Map<string, ReadinessCheck>;
  /** Set on SIGTERM: fail readiness so no new work is routed here. */
  shuttingDown: () => boolean;
}

/** The same probes as the admin port, on the API port too (for load balancers that only see this one). */
export function healthRoutes(readiness: Readiness): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/livez',
      operationId: 'livez',
      summary: 'Liveness: the process answers',
      tag: 'Health',
      responses: [ok(healthSchema, 'Alive')],
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: "Readiness: NATS and the identity provider's keys are reachable",
      tag: 'Health',
      responses: [
        ok(healthSchema, 'Ready'),
        { status: 503, description: 'Not ready, or shutting down', schema: healthSchema },
      ],
      handler: async ({ res }) => {
        res.setHeader('cache-control', 'no-store');
        if (readiness.shuttingDown()) return { status: 503, body: { status: 'shutting down' } };
        const entries = await Promise.all(
          [...readiness.checks].map(
            async ([name, check]) =>
              [
                name,
                await check().then(
                  () => 'ok' as const,
                  () => 'failing' as const,
                ),
              ] as const,
          ),
        );
        const checks = Object.fromEntries(entries);
        return {
          status: Object.values(checks).every((c) => c === 'ok') ? 200 : 503,
          body: { status: 'checked', checks },
        };
      },
    }),
  ];
}
