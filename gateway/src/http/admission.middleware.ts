import type { Request, RequestHandler } from 'express';
import { Gauge, Counter, type Registry } from 'prom-client';
import { HttpProblem } from './problem';

export interface AdmissionOptions {
  /** Requests served at once; more wait in the queue. */
  maxInFlight: number;
  /** Requests that may wait; beyond it a request is shed at once. */
  maxQueued: number;
  /** The longest a request waits for a slot before it is shed. */
  queueTimeoutMs: number;
  /** Long-lived requests (SSE, exports) that do not take a slot: they have their own cap. */
  isLongLived: (req: Request) => boolean;
  /** Open long-lived requests at most. */
  maxLongLived: number;
  metrics: Registry;
}

/**
 * Admission control: the gateway serves at most maxInFlight requests at once and lets at most maxQueued wait
 * (first come, first served) for queueTimeoutMs. What does not fit is shed at once with 503 and Retry-After, so
 * under any load the requests it does admit keep a bounded latency, and its memory stays bounded by the two limits
 * instead of growing with the backlog. Health probes are never shed.
 */
export function admissionControl(options: AdmissionOptions): RequestHandler {
  let inFlight = 0;
  let longLived = 0;
  const queue: Array<{ admit: () => void; timer: NodeJS.Timeout }> = [];
  const shed = new Counter({
    name: 'gateway_requests_shed_total',
    help: 'Requests refused with 503 because the gateway was at capacity',
    labelNames: ['reason'],
    registers: [options.metrics],
  });
  new Gauge({
    name: 'gateway_requests_in_flight',
    help: 'Requests being served (long-lived ones counted apart)',
    labelNames: ['kind'],
    registers: [options.metrics],
    collect() {
      this.set({ kind: 'short' }, inFlight);
      this.set({ kind: 'long_lived' }, longLived);
      this.set({ kind: 'queued' }, queue.length);
    },
  });
  const overloaded = (reason: string) => {
    shed.inc({ reason });
    return new HttpProblem(503, 'The gateway is at capacity; retry shortly', {}, { 'retry-after': '1' });
  };
  const release = () => {
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.admit();
    } else inFlight -= 1;
  };

  return (req, res, next) => {
    if (req.path === '/livez' || req.path === '/readyz') return next();
    if (options.isLongLived(req)) {
      if (longLived >= options.maxLongLived) return next(overloaded('long_lived'));
      longLived += 1;
      res.once('close', () => (longLived -= 1));
      return next();
    }
    const admitted = () => {
      res.once('close', release);
      next();
    };
    if (inFlight < options.maxInFlight) {
      inFlight += 1;
      return admitted();
    }
    if (queue.length >= options.maxQueued) return next(overloaded('queue_full'));
    const entry = {
      // The slot of the request that finished passes straight to this one (inFlight stays the same).
      admit: admitted,
      timer: setTimeout(() => {
        const at = queue.indexOf(entry);
        if (at >= 0) queue.splice(at, 1);
        next(overloaded('queue_timeout'));
      }, options.queueTimeoutMs),
    };
    queue.push(entry);
    // A client that leaves while waiting gives its place up.
    res.once('close', () => {
      const at = queue.indexOf(entry);
      if (at >= 0) {
        queue.splice(at, 1);
        clearTimeout(entry.timer);
      }
    });
  };
}
