// Counted checks are looked at between the recorded evaluations (every eighth of an interval, on
// everything since the stage started): decisive evidence rolls back without waiting for the
// interval's end; no evidence writes nothing.
import { expect, test } from 'vitest';
import type { Sample } from '../../../src/core/ports.ts';
import { INTERVAL, STABLE, spec, world } from './harness.ts';

const SUCCESS = { name: 'success', type: 'success-rate' as const, min: 99, compare: 'absolute' as const, minRequests: 20, noData: 'pass' as const, failureLimit: 1 };

/** Canary traffic by response code: 100 requests a second, `errorRatio` of them 503 from `failFrom` (ms on the fake clock) on. */
function traffic(now: () => number, failFrom: number, errorRatio: number, askedWindows: string[]) {
  return async (promql: string): Promise<Sample[]> => {
    const window = /\[(\d+)s\]/.exec(promql)?.[1] ?? /\[(\d+)m\]/.exec(promql)?.[1];
    askedWindows.push(window ?? '?');
    const seconds = /\[(\d+)m\]/.test(promql) ? Number(window) * 60 : Number(window);
    const requests = 100 * seconds;
    const failing = Math.max(0, Math.min(seconds, (now() - failFrom) / 1000));
    const errors = Math.round(100 * failing * errorRatio);
    return [
      { labels: { destination_workload: 'catalog-v2', response_code: '200' }, value: requests - errors },
      { labels: { destination_workload: 'catalog-v2', response_code: '503' }, value: errors },
    ];
  };
}

test('a canary that starts failing is rolled back at the next quick look, well before the interval ends', async () => {
  const w = world({ spec: spec({ stages: [{ kind: 'weight', weight: 50, bake: 10 * INTERVAL, pause: false }] }, {}) });
  w.spec.analysis!.checks = [SUCCESS];
  const windows: string[] = [];
  const started = w.clock.now() + w.spec.settle;
  const failFrom = started + 1.5 * INTERVAL;
  w.metrics.vector = traffic(() => w.clock.now(), failFrom, 0.5, windows);
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  expect(w.traffic()).toEqual(STABLE);
  const failure = w.state()!.history.find((r) => r.result === 'failed')!;
  const failedAt = Date.parse(failure.evaluations.at(-1)!.at);
  expect(failedAt - failFrom).toBeLessThanOrEqual(INTERVAL / 8);
  // Quick looks that found nothing wrote nothing: the one interim at 1 interval, then the failing look.
  expect(failure.evaluations).toHaveLength(2);
  expect(result.failure).toMatch(/canary errors \d+\/\d+ — above the 1% limit with p = /);
  // Why the stage failed is kept with the evaluation, as data for the report.
  expect(failure.evaluations.at(-1)!.reasons).toEqual(['success: failed 1 evaluation(s), limit 1']);
  // Windows are the time since the stage started (cumulative), not one interval.
  expect(new Set(windows).size).toBeGreaterThan(3);
});

test('a healthy canary gets quick looks that write nothing between the recorded evaluations', async () => {
  const w = world({ spec: spec({ stages: [{ kind: 'weight', weight: 50, bake: 3 * INTERVAL, pause: false }] }, {}) });
  w.spec.analysis!.checks = [SUCCESS];
  const windows: string[] = [];
  w.metrics.vector = traffic(() => w.clock.now(), Infinity, 0, windows);
  const result = await w.exec('run');
  expect(result.status).toBe('promoted');
  expect(w.state()!.history[0]!.evaluations).toHaveLength(3);
  // 8 looks per interval over 3 intervals: 2 recorded interims, the final, and 21 quick looks.
  expect(windows).toHaveLength(24);
});
