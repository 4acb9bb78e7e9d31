import { describe, expect, it } from 'vitest';
import { countDeliveries, summarizeDelivery, type DeliveryAttempt } from './webhook-deliveries';

const attempt = (statusCode: number, error = ''): DeliveryAttempt => ({
  at: '2026-12-01T10:00:00Z',
  statusCode,
  latencyMs: 12,
  error,
});

describe('webhook delivery summaries', () => {
  it('shows every attempt answer in order, a missing answer as such', () => {
    const summary = summarizeDelivery({
      status: 'succeeded',
      attempts: [attempt(503), attempt(0, 'connect ECONNREFUSED'), attempt(200)],
      nextAttemptAt: null,
    });
    expect(summary).toMatchObject({
      label: 'Delivered',
      tone: 'success',
      attempts: 3,
      lastResult: '200',
      results: '503 → no answer → 200',
      replayable: false,
    });
  });

  it('calls a pending delivery with failed attempts retrying', () => {
    const summary = summarizeDelivery({ status: 'pending', attempts: [attempt(500)], nextAttemptAt: 'x' });
    expect(summary).toMatchObject({ label: 'Retrying', tone: 'warning', replayable: false });
    expect(summarizeDelivery({ status: 'pending', attempts: [], nextAttemptAt: null })).toMatchObject({
      label: 'Pending',
      lastResult: '–',
      results: '',
    });
  });

  it('offers replay for failed and dead-lettered deliveries only', () => {
    expect(summarizeDelivery({ status: 'failed', attempts: [attempt(404)], nextAttemptAt: null })).toMatchObject({
      label: 'Failed',
      tone: 'danger',
      replayable: true,
    });
    expect(
      summarizeDelivery({ status: 'dead_lettered', attempts: [attempt(0, 'timeout')], nextAttemptAt: null }),
    ).toMatchObject({ label: 'Dead-lettered', lastError: 'timeout', replayable: true });
  });

  it('counts each delivery in its state', () => {
    const of = (status: 'pending' | 'succeeded' | 'failed' | 'dead_lettered') => ({
      status,
      attempts: [],
      nextAttemptAt: null,
    });
    expect(countDeliveries([of('succeeded'), of('succeeded'), of('failed'), of('pending')])).toEqual({
      pending: 1,
      succeeded: 2,
      failed: 1,
      dead_lettered: 0,
    });
  });
});
