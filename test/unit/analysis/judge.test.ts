import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeCheck } from '../../../src/analysis/checks/registry.ts';
import { quantileOf, surelySlower } from '../../../src/analysis/checks/latency.ts';
import type { Buckets, Cohort, QueryResult } from '../../../src/analysis/types.ts';
import { check } from './fixtures.ts';

/** An interim look and the stage's last look, at the default confidence. */
const ctx = { alpha: 0.05, final: false };
const final = { alpha: 0.05, final: true };

function results(values: Record<string, number | undefined>): QueryResult[] {
  return Object.entries(values).map(([role, value]) => ({ role, promql: `query for ${role}`, value }));
}

describe('judgeCheck: success-rate, absolute (innocent until shown guilty)', () => {
  it('passes at the minimum, with the numbers and the evidence in words', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 1000, 'canary-client-failures': 0, 'canary-errors': 10 }), final);
    expect(verdict).toMatchObject({ check: 'success', status: 'pass', value: 99, requests: 1000, threshold: 'success rate >= 99%' });
    expect(verdict.evidence).toMatchObject({ canary: { hits: 10, trials: 1000 }, level: 0.04, underpowered: false });
    expect(verdict.evidence?.summary).toMatch(/^canary errors 10\/1000 — not shown above 1% \(p = 0\.\d+\)$/);
  });

  it('fails when the counts show the error rate above the limit: 20/1000 against 1 % at the stage end (exact test)', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 1000, 'canary-errors': 20 }), final);
    expect(verdict.status).toBe('fail');
    expect(verdict.value).toBe(98);
    expect(verdict.reason).toMatch(/^error rate 2% \(20\/1000\) is above 1%: p = 0\.00\d+ <= 0\.04$/);
    expect(verdict.evidence?.summary).toMatch(/^canary errors 20\/1000 — above the 1% limit with p = 0\.00\d+$/);
  });

  it('a single unlucky error no longer fails a small window (new behaviour: the point estimate 98 % is not evidence)', () => {
    expect(judgeCheck(check(), 'shift', results({ 'canary-requests': 50, 'canary-errors': 1 }), ctx).status).toBe('pass');
    expect(judgeCheck(check(), 'shift', results({ 'canary-requests': 50, 'canary-errors': 1 }), final).status).toBe('pass');
  });

  it('fails at any look once the evidence is decisive (always-valid test)', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 73, 'canary-errors': 28 }), { ...ctx, quick: true });
    expect(verdict.status).toBe('fail');
    expect(verdict.evidence?.p).toBeLessThan(1e-20);
    expect(verdict.evidence?.level).toBeCloseTo(0.01, 12);
  });

  it('says when a passing stage had too little traffic to catch a real problem, and how big a problem it could miss', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 30, 'canary-errors': 0 }), final);
    expect(verdict.status).toBe('pass');
    expect(verdict.evidence?.underpowered).toBe(true);
    expect(verdict.evidence?.caughtRate).toBeGreaterThan(0.05);
    expect(verdict.evidence?.summary).toMatch(/too little traffic: error rate up to \d+(\.\d+)?% would pass unnoticed$/);
    expect(judgeCheck(check(), 'shift', results({ 'canary-requests': 3000, 'canary-errors': 3 }), final).evidence?.underpowered).toBe(false);
  });

  it('rounds extrapolated increase() counts to whole requests', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 199.6, 'canary-errors': 1.2 }), ctx);
    expect(verdict).toMatchObject({ requests: 200, value: 99.5, status: 'pass' });
  });

  it('is no-data below minRequests', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 12, 'canary-errors': 12 }), ctx);
    expect(verdict).toMatchObject({ status: 'no-data', requests: 12, threshold: '>= 20 canary requests' });
    expect(verdict.reason).toBe('canary had 12 requests in the window, fewer than the 20 needed to judge');
  });

  it('is no-data on an empty result', () => {
    expect(judgeCheck(check(), 'mirror', results({ 'canary-requests': undefined, 'canary-errors': undefined }), ctx).status).toBe('no-data');
  });

  it('fails a canary nobody can reach (503 UH seen only by the source side) instead of calling it no-data', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': undefined, 'canary-client-failures': 50, 'canary-errors': 0 }), ctx);
    expect(verdict).toMatchObject({ status: 'fail', value: 0, requests: 50 });
  });

  it.each([
    ['NaN', Number.NaN, 'NaN (not a number)'],
    ['+Inf', Infinity, 'Infinity'],
    ['-Inf', -Infinity, '-Infinity'],
    ['a negative count', -5, 'negative (-5)'],
  ])('a request count that is %s fails, named as what it is, never "0 requests"', (_name, value, what) => {
    for (const role of ['canary-requests', 'canary-errors', 'stable-requests']) {
      const verdict = judgeCheck(check({ compare: 'both' }), 'shift', results({ 'canary-requests': 100, 'canary-errors': 0, 'stable-requests': 100, 'stable-errors': 0, [role]: value }), ctx);
      expect(verdict.status).toBe('fail');
      expect(verdict.reason).toBe(`${role} is ${what} in Prometheus' answer; a count cannot be, so the canary cannot be judged (never a pass)`);
      expect(verdict.reason).not.toContain('0 requests');
    }
  });

  it('keeps every query with its value', () => {
    const input = results({ 'canary-requests': 100, 'canary-errors': 0 });
    expect(judgeCheck(check(), 'shift', input, ctx).queries).toEqual(input);
  });

  it('strict mode: a final look that has not shown the canary within the limit is unproven (the stage holds)', () => {
    const strict = { ...final, strict: true };
    expect(judgeCheck(check(), 'shift', results({ 'canary-requests': 100, 'canary-errors': 0 }), strict).status).toBe('unproven');
    expect(judgeCheck(check(), 'shift', results({ 'canary-requests': 1000, 'canary-errors': 0 }), strict).status).toBe('pass');
    // Interim looks are never unproven: there is more bake time.
    expect(judgeCheck(check(), 'shift', results({ 'canary-requests': 100, 'canary-errors': 0 }), { ...ctx, strict: true }).status).toBe('pass');
  });
});

describe('judgeCheck: success-rate, relative to stable', () => {
  const relative = check({ compare: 'relative', min: undefined });
  const counts = (canaryErrors: number, canaryRequests: number, stableErrors: number, stableRequests: number) =>
    results({ 'canary-requests': canaryRequests, 'canary-errors': canaryErrors, 'stable-requests': stableRequests, 'stable-errors': stableErrors });

  it('fails when the canary is shown worse than 1.5 × stable', () => {
    // 4 of the 5 errors on the canary, whose share under "1.5 × stable's rate" is 180/1260: p ≈ 0.0018.
    const verdict = judgeCheck(relative, 'shift', counts(4, 120, 1, 1080), final);
    expect(verdict).toMatchObject({ status: 'fail', threshold: "canary error rate <= 1.5 × stable's" });
    expect(verdict.reason).toBe('canary 4/120 errors vs stable 1/1080: worse than stable, p = 0.0018 <= 0.04');
    expect(verdict.evidence).toMatchObject({ canary: { hits: 4, trials: 120 }, stable: { hits: 1, trials: 1080 } });
    expect(verdict.evidence?.summary).toBe('canary errors 4/120 vs stable 1/1080 — worse than stable with p = 0.0018');
    expect(verdict.stableValue).toBeCloseTo((100 * 1079) / 1080, 10);
  });

  it('reads like the sentence a person wants: errors 28/73 vs 0/84', () => {
    const verdict = judgeCheck(relative, 'shift', counts(28, 73, 0, 84), ctx);
    expect(verdict.status).toBe('fail');
    expect(verdict.evidence?.summary).toMatch(/^canary errors 28\/73 vs stable 0\/84 — worse than stable with p = \de-\d+$/);
  });

  it('passes a canary with a similar error rate', () => {
    const verdict = judgeCheck(relative, 'shift', counts(1, 120, 10, 1080), final);
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toMatch(/^canary 1\/120 errors vs stable 10\/1080: not shown worse than stable \(p = 0?\.?\d+\.?\d* > 0\.04\)$/);
  });

  it('interim looks need stronger (always-valid) evidence than the final one', () => {
    expect(judgeCheck(relative, 'shift', counts(4, 120, 1, 1080), ctx).status).toBe('pass');
    expect(judgeCheck(relative, 'shift', counts(4, 120, 1, 1080), final).status).toBe('fail');
  });

  it('does not compare outside weight stages', () => {
    const verdict = judgeCheck(relative, 'mirror', results({ 'canary-requests': 100, 'canary-errors': 50 }), ctx);
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toBe('canary errors 50/100; not compared with stable in a mirror stage (weight stages only)');
  });

  it('does not compare when stable served nothing (the 100 % stage)', () => {
    const verdict = judgeCheck(check({ compare: 'both', min: 99 }), 'shift', counts(0, 500, 0, 0), ctx);
    expect(verdict).toMatchObject({ status: 'pass', threshold: 'success rate >= 99%' });
    expect(verdict.reason).toContain('not compared with stable: stable served no requests in the window');
  });

  it('is no-data, not a silent pass, when a stage that sends stable traffic sees none (wrong stable workload)', () => {
    const verdict = judgeCheck(check({ compare: 'both', min: 99 }), 'shift', counts(0, 500, 0, 0), { ...ctx, stableTrafficExpected: true });
    expect(verdict).toMatchObject({ status: 'no-data', requests: 500, threshold: 'stable traffic to compare with' });
    expect(verdict.reason).toBe('stable served no requests in the window although this stage sends stable part of the traffic; check stable.workload and stable.labels');
    // An absolute-only check does not need stable.
    expect(judgeCheck(check({ compare: 'absolute', min: 99 }), 'shift', counts(0, 500, 0, 0), { ...ctx, stableTrafficExpected: true }).status).toBe('pass');
  });

  it('with both, fails when either part fails', () => {
    const verdict = judgeCheck(check({ compare: 'both', min: 90 }), 'shift', counts(4, 120, 1, 1080), final);
    expect(verdict.status).toBe('fail');
    expect(verdict.threshold).toBe("success rate >= 90% and canary error rate <= 1.5 × stable's");
  });

  it('more canary errors never turn a failure into a pass (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 2000 }), fc.integer({ min: 1, max: 5000 }), fc.nat(), fc.nat(), fc.boolean(), (n2, n1, e2, e1, last) => {
        const x2 = e2 % n2;
        const x1 = e1 % (n1 + 1);
        const look = last ? final : ctx;
        const before = judgeCheck(check({ compare: 'both', min: 95 }), 'shift', counts(x2, n2, x1, n1), look).status;
        const after = judgeCheck(check({ compare: 'both', min: 95 }), 'shift', counts(x2 + 1, n2, x1, n1), look).status;
        if (before === 'fail') expect(after).toBe('fail');
      }),
    );
  });

  it('a canary no worse than its limit is failed at most alpha of the time at the final look (property over the exact test)', () => {
    // At exactly the limit (1 % errors), P(fail) = P(X >= critical) <= the final level, for any n.
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 3000 }), (n) => {
        let pFail = 0;
        // Sum P(X = x) over the x that fail: binomial pmf by recurrence.
        let pmf = (1 - 0.01) ** n;
        for (let x = 0; x <= n; x++) {
          if (judgeCheck(check(), 'mirror', results({ 'canary-requests': n, 'canary-errors': x }), final).status === 'fail') pFail += pmf;
          pmf *= ((n - x) / (x + 1)) * (0.01 / 0.99);
          if (pmf < 1e-14 && x > n * 0.01) break;
        }
        expect(pFail).toBeLessThanOrEqual(0.05);
      }),
      { numRuns: 25 },
    );
  });
});

describe('judgeCheck: latency-p99 from histogram buckets', () => {
  const latency = check({ name: 'latency', type: 'latency-p99', min: undefined, max: 250 });
  /** Cumulative buckets with `slow` of `total` requests above 250 ms (and below 500). */
  const histogram = (total: number, slow: number): Buckets => [
    [100, Math.round((total - slow) * 0.9)],
    [250, total - slow],
    [500, total],
    [Infinity, total],
  ];
  const measured = (canary: Buckets | undefined, stable?: Buckets): QueryResult[] => [
    { role: 'canary-requests', promql: 'q', value: canary?.at(-1)?.[1] },
    { role: 'canary-latency', promql: 'q', value: undefined, buckets: canary ?? [] },
    ...(stable ? [{ role: 'stable-latency', promql: 'q', value: undefined, buckets: stable }] : []),
  ];

  it('computes p99 and the share slower than the limit from the buckets', () => {
    expect(quantileOf(histogram(1000, 0), 0.99)).toBeCloseTo(250 - 150 * ((1000 - 990) / 100), 9);
    expect(surelySlower(histogram(1000, 30), 250)).toEqual({ slower: 30, bound: 250 });
    // A limit between bounds: only requests above the next bound are surely slower (sound, conservative).
    expect(surelySlower(histogram(1000, 30), 300)).toEqual({ slower: 0, bound: 500 });
  });

  it.each([
    [0, 'pass'],
    [10, 'pass'],
    [40, 'fail'],
  ])('%i of 1000 requests slower than 250 ms: %s', (slow, status) => {
    const verdict = judgeCheck(latency, 'dark-launch', measured(histogram(1000, slow)), final);
    expect(verdict).toMatchObject({ status, threshold: 'p99 <= 250 ms', requests: 1000 });
    expect(verdict.evidence?.canary).toEqual({ hits: slow, trials: 1000 });
  });

  it('says which bucket bound it tested when the limit is not one', () => {
    const verdict = judgeCheck({ ...latency, max: 300 }, 'shift', measured(histogram(1000, 40)), final);
    expect(verdict.reason).toContain('share slower than 500 ms (the bucket bound at or above 300 ms)');
  });

  it('is no-data without a histogram or with too few requests', () => {
    expect(judgeCheck(latency, 'shift', measured([]), ctx).status).toBe('no-data');
    expect(judgeCheck(latency, 'shift', measured(histogram(3, 0)), ctx).status).toBe('no-data');
  });

  it('compares with stable p99 times maxRatio (default 1.5), a point comparison said to be one', () => {
    const relative = { ...latency, compare: 'relative' as const };
    const slow = judgeCheck(relative, 'shift', measured(histogram(1000, 100), histogram(1000, 0)), ctx);
    expect(slow).toMatchObject({ status: 'fail', threshold: 'p99 <= 1.5 × stable p99' });
    expect(slow.reason).toContain('(a point comparison, not a test)');
    expect(judgeCheck({ ...relative, maxRatio: 3 }, "shift", measured(histogram(1000, 100), histogram(1000, 0)), ctx).status).toBe('pass');
    // Quick looks leave the point comparison for the recorded ones.
    expect(judgeCheck(relative, 'shift', measured(histogram(1000, 100), histogram(1000, 0)), { ...ctx, quick: true }).status).toBe('pass');
  });

  it('is no-data without stable latency in a stage that sends stable traffic', () => {
    const relative = { ...latency, compare: 'relative' as const };
    expect(judgeCheck(relative, 'shift', measured(histogram(1000, 0)), { ...ctx, stableTrafficExpected: true })).toMatchObject({
      status: 'no-data',
      reason: 'no stable latency in the window although this stage sends stable part of the traffic; check stable.workload and stable.labels',
    });
    expect(judgeCheck(relative, 'shift', measured(histogram(1000, 0)), ctx).status).toBe('pass');
  });
});

describe('judgeCheck: custom', () => {
  const custom = check({ name: 'queue', type: 'custom', query: 'x', min: 1, max: 10, minRequests: 0 });

  it.each([
    [0.5, 'fail', '0.5 < 1; 0.5 <= 10'],
    [5, 'pass', '5 >= 1; 5 <= 10'],
    [11, 'fail', '11 >= 1; 11 > 10'],
  ])('value %f: %s', (value, status, reason) => {
    expect(judgeCheck(custom, 'shift', results({ value }), ctx)).toMatchObject({ status, reason, threshold: '>= 1 and <= 10' });
  });

  it.each([
    ['-Inf against max', { max: 0.8 }, -Infinity, '-Infinity'],
    ['+Inf against min', { min: 0.5 }, Infinity, 'Infinity'],
    ['NaN', { min: 0.5 }, Number.NaN, 'NaN (not a number, e.g. 0/0)'],
  ])('%s is never a pass: it fails and is named', (_name, bounds, value, what) => {
    const verdict = judgeCheck({ ...custom, min: undefined, max: undefined, ...bounds }, 'shift', results({ value }), ctx);
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe(`the query returned ${what}; only a finite number can be judged (never a pass)`);
  });

  it('a custom check\'s request count that is not a count fails', () => {
    expect(judgeCheck({ ...custom, minRequests: 10 }, 'shift', results({ 'canary-requests': Number.NaN, value: 5 }), ctx).status).toBe('fail');
  });

  it('is no-data when the query returns nothing, or with too few canary requests', () => {
    expect(judgeCheck(custom, 'shift', results({ value: undefined }), ctx)).toMatchObject({ status: 'no-data', reason: 'the query returned no data' });
    expect(judgeCheck({ ...custom, minRequests: 10 }, 'shift', results({ 'canary-requests': 3, value: 5 }), ctx).status).toBe('no-data');
  });
});

describe('judgeCheck: cohorts', () => {
  it.each<Cohort>(['dark-launch', 'mirror', 'shift'])('judges absolute success-rate the same in %s', (cohort) => {
    expect(judgeCheck(check(), cohort, results({ 'canary-requests': 100, 'canary-errors': 8 }), final).status).toBe('fail');
    expect(judgeCheck(check(), cohort, results({ 'canary-requests': 100, 'canary-errors': 2 }), final).status).toBe('pass');
  });
});
