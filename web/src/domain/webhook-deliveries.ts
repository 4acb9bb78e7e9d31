// What a webhook delivery's log says at a glance: its state, how many attempts, the answers they got.

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead_lettered';

export interface DeliveryAttempt {
  at: string | null;
  statusCode: number;
  latencyMs: number;
  error: string;
}

export interface DeliveryLike {
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
}

export type Tone = 'success' | 'danger' | 'warning' | 'neutral';

export interface DeliverySummary {
  label: string;
  tone: Tone;
  attempts: number;
  /** The last answer: "200", "503", or "no answer" (connection refused, timeout). */
  lastResult: string;
  /** Every attempt's result in order, e.g. "503 → 503 → 200". */
  results: string;
  lastError: string;
  /** Only failed and dead-lettered deliveries are sent again (the API skips the others). */
  replayable: boolean;
}

const LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  succeeded: 'Delivered',
  failed: 'Failed',
  dead_lettered: 'Dead-lettered',
};

const TONES: Record<DeliveryStatus, Tone> = {
  pending: 'neutral',
  succeeded: 'success',
  failed: 'danger',
  dead_lettered: 'danger',
};

function resultOf(attempt: DeliveryAttempt): string {
  return attempt.statusCode > 0 ? String(attempt.statusCode) : 'no answer';
}

export function summarizeDelivery(delivery: DeliveryLike): DeliverySummary {
  const last = delivery.attempts[delivery.attempts.length - 1];
  const retrying = delivery.status === 'pending' && delivery.attempts.length > 0;
  return {
    label: retrying ? 'Retrying' : LABELS[delivery.status],
    tone: retrying ? 'warning' : TONES[delivery.status],
    attempts: delivery.attempts.length,
    lastResult: last ? resultOf(last) : '–',
    results: delivery.attempts.map(resultOf).join(' → '),
    lastError: last?.error ?? '',
    replayable: delivery.status === 'failed' || delivery.status === 'dead_lettered',
  };
}

/** How many deliveries of a page are in each state, every one counted once. */
export function countDeliveries(deliveries: readonly DeliveryLike[]): Record<DeliveryStatus, number> {
  const counts: Record<DeliveryStatus, number> = { pending: 0, succeeded: 0, failed: 0, dead_lettered: 0 };
  for (const delivery of deliveries) counts[delivery.status] += 1;
  return counts;
}
