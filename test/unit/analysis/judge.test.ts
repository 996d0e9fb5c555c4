import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeCheck } from '../../../src/analysis/judge.ts';
import type { Cohort, QueryResult } from '../../../src/analysis/types.ts';
import { check } from './fixtures.ts';

const ctx = { alpha: 0.05, looks: 4 };

function results(values: Record<string, number | undefined>): QueryResult[] {
  return Object.entries(values).map(([role, value]) => ({ role, promql: `query for ${role}`, value }));
}

describe('judgeCheck: success-rate, absolute', () => {
  it('passes at or above the minimum, with the numbers', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 1000, 'canary-client-failures': 0, 'canary-errors': 10 }), ctx);
    expect(verdict).toMatchObject({ check: 'success', status: 'pass', value: 99, requests: 1000, threshold: 'success rate >= 99%' });
    expect(verdict.reason).toMatch(/^canary 99% success \(10\/1000 errors, error rate <= 1\.\d+% at 95%\) >= 99%$/);
  });

  it('fails below the minimum', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 1000, 'canary-errors': 20 }), ctx);
    expect(verdict.status).toBe('fail');
    expect(verdict.value).toBe(98);
    expect(verdict.reason).toContain('canary 98% success (20/1000 errors');
    expect(verdict.reason).toContain('< 99%');
  });

  it('shows enough digits that the value still compares with the threshold as it does', () => {
    const verdict = judgeCheck(check(), 'shift', results({ 'canary-requests': 100_000, 'canary-errors': 1001 }), ctx);
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('canary 98.999% success (1001/100000 errors');
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

  it('keeps every query with its value', () => {
    const input = results({ 'canary-requests': 100, 'canary-errors': 0 });
    expect(judgeCheck(check(), 'shift', input, ctx).queries).toEqual(input);
  });
});

describe('judgeCheck: success-rate, relative to stable', () => {
  const relative = check({ compare: 'relative', min: undefined });
  const counts = (canaryErrors: number, canaryRequests: number, stableErrors: number, stableRequests: number) =>
    results({ 'canary-requests': canaryRequests, 'canary-errors': canaryErrors, 'stable-requests': stableRequests, 'stable-errors': stableErrors });

  it('fails when the binomial test says the canary is worse at alpha / looks', () => {
    const verdict = judgeCheck(relative, 'shift', counts(4, 120, 1, 1080), ctx);
    expect(verdict).toMatchObject({ status: 'fail', threshold: 'binomial p >= 0.0125 (canary errors no worse than stable)' });
    expect(verdict.reason).toBe('canary 4/120 errors vs stable 1/1080, p=0.00046 < 0.0125');
    expect(verdict.stableValue).toBeCloseTo((100 * 1079) / 1080, 10);
  });

  it('passes a canary with a similar error rate', () => {
    const verdict = judgeCheck(relative, 'shift', counts(1, 120, 10, 1080), ctx);
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toMatch(/^canary 1\/120 errors vs stable 10\/1080, p=0\.\d+ >= 0\.0125$/);
  });

  it('corrects alpha for the number of looks (Bonferroni)', () => {
    // 2/100 vs 1/1000: p = P(Binomial(3, 1/11) >= 2) ≈ 0.023, between 0.05 / 4 and 0.05.
    expect(judgeCheck(relative, 'shift', counts(2, 100, 1, 1000), { alpha: 0.05, looks: 1 }).status).toBe('fail');
    expect(judgeCheck(relative, 'shift', counts(2, 100, 1, 1000), { alpha: 0.05, looks: 4 }).status).toBe('pass');
  });

  it('does not compare outside weight stages', () => {
    const verdict = judgeCheck(relative, 'mirror', results({ 'canary-requests': 100, 'canary-errors': 50 }), ctx);
    expect(verdict.status).toBe('pass');
    expect(verdict.reason).toBe('canary 50% success (50/100 errors); not compared with stable in a mirror stage (weight stages only)');
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
    const verdict = judgeCheck(check({ compare: 'both', min: 90 }), 'shift', counts(4, 120, 1, 1080), ctx);
    expect(verdict.status).toBe('fail');
    expect(verdict.threshold).toBe('success rate >= 90% and binomial p >= 0.0125 (canary errors no worse than stable)');
  });

  it('more canary errors never turn a failure into a pass (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 2000 }), fc.integer({ min: 1, max: 5000 }), fc.nat(), fc.nat(), (n2, n1, e2, e1) => {
        const x2 = e2 % n2;
        const x1 = e1 % (n1 + 1);
        const before = judgeCheck(check({ compare: 'both', min: 95 }), 'shift', counts(x2, n2, x1, n1), ctx).status;
        const after = judgeCheck(check({ compare: 'both', min: 95 }), 'shift', counts(x2 + 1, n2, x1, n1), ctx).status;
        if (before === 'fail') expect(after).toBe('fail');
      }),
    );
  });
});

describe('judgeCheck: latency-p99', () => {
  const latency = check({ name: 'latency', type: 'latency-p99', min: undefined, max: 250 });
  const measured = (p99: number | undefined, stable?: number, requests = 500) =>
    results({ 'canary-requests': requests, value: p99, ...(stable === undefined ? {} : { 'stable-value': stable }) });

  it.each([
    [200, 'pass', 'canary p99 200 ms <= 250 ms'],
    [250, 'pass', 'canary p99 250 ms <= 250 ms'],
    [250.5, 'fail', 'canary p99 250.5 ms > 250 ms'],
    [Infinity, 'fail', 'canary p99 Infinity ms > 250 ms'],
  ])('p99 %f ms against max 250 ms: %s', (p99, status, reason) => {
    expect(judgeCheck(latency, 'dark-launch', measured(p99), ctx)).toMatchObject({ status, reason, value: p99, threshold: 'p99 <= 250 ms' });
  });

  it('is no-data without a histogram or with too few requests', () => {
    expect(judgeCheck(latency, 'shift', measured(undefined), ctx).reason).toBe('no canary latency histogram in the window (500 requests)');
    expect(judgeCheck(latency, 'shift', measured(100, undefined, 3), ctx).status).toBe('no-data');
  });

  it('compares with stable p99 times maxRatio (default 1.5)', () => {
    const relative = { ...latency, compare: 'relative' as const };
    const slow = judgeCheck(relative, 'shift', measured(160, 100), ctx);
    expect(slow).toMatchObject({ status: 'fail', stableValue: 100, threshold: 'p99 <= 1.5 × stable p99' });
    expect(slow.reason).toBe('canary p99 160 ms vs stable 100 ms: > 1.5 × stable = 150 ms');
    expect(judgeCheck({ ...relative, maxRatio: 2 }, 'shift', measured(160, 100), ctx).status).toBe('pass');
  });

  it('is no-data without stable latency in a stage that sends stable traffic', () => {
    const relative = { ...latency, compare: 'relative' as const };
    expect(judgeCheck(relative, 'shift', measured(160, undefined), { ...ctx, stableTrafficExpected: true })).toMatchObject({
      status: 'no-data',
      reason: 'no stable latency in the window although this stage sends stable part of the traffic; check stable.workload and stable.labels',
    });
    expect(judgeCheck(relative, 'shift', measured(160, undefined), ctx).status).toBe('pass');
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

  it('is no-data when the query returns nothing, or with too few canary requests', () => {
    expect(judgeCheck(custom, 'shift', results({ value: undefined }), ctx)).toMatchObject({ status: 'no-data', reason: 'the query returned no data' });
    expect(judgeCheck({ ...custom, minRequests: 10 }, 'shift', results({ 'canary-requests': 3, value: 5 }), ctx).status).toBe('no-data');
  });
});

describe('judgeCheck: cohorts', () => {
  it.each<Cohort>(['dark-launch', 'mirror', 'shift'])('judges absolute success-rate the same in %s', (cohort) => {
    expect(judgeCheck(check(), cohort, results({ 'canary-requests': 100, 'canary-errors': 2 }), ctx).status).toBe('fail');
  });
});
