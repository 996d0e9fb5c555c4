import { describe, expect, it } from 'vitest';
import { evaluateChecks } from '../../../src/analysis/evaluate.ts';
import type { MetricsPort, Sample } from '../../../src/core/ports.ts';
import { MetricsError } from '../../../src/errors.ts';
import { analysis, check, vars } from './fixtures.ts';

/** Answers grouped queries with `series` (by the kind of query) and single-number queries with `value`; records every query. */
function metrics(answers: { traffic?: Sample[] | Error; latency?: Sample[] | Error; value?: number }): MetricsPort & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async query(promql) {
      asked.push(promql);
      return answers.value;
    },
    async vector(promql) {
      asked.push(promql);
      const answer = promql.includes('istio_request_duration_milliseconds_bucket') ? answers.latency : answers.traffic;
      if (answer instanceof Error) throw answer;
      return answer ?? [];
    },
  };
}

const series = (workload: string, code: string, value: number): Sample => ({ labels: { destination_workload: workload, response_code: code }, value });
const bucket = (le: string, value: number): Sample => ({ labels: { destination_workload: 'catalog-v2', le }, value });
const latency = check({ name: 'latency', type: 'latency-p99', min: undefined, max: 300 });

describe('evaluateChecks', () => {
  it('runs one grouped query per check and judges each check from it', async () => {
    const spec = analysis([check(), latency]);
    const answers = metrics({
      traffic: [series('catalog-v2', '200', 999), series('catalog-v2', '503', 1), { labels: { destination_workload: ':client-failures' }, value: 0 }],
      latency: [bucket('100', 900), bucket('300', 1000), bucket('+Inf', 1000)],
    });
    const verdicts = await evaluateChecks(spec, 'shift', vars, answers, { final: false });
    expect(verdicts.map((v) => [v.check, v.status, v.value])).toEqual([
      ['success', 'pass', 99.9],
      ['latency', 'pass', expect.closeTo(100 + 200 * (90 / 100), 9)],
    ]);
    expect(verdicts[0]?.queries.map((q) => [q.role, q.value])).toEqual([
      ['canary-requests', 1000],
      ['canary-errors', 1],
      ['canary-client-failures', 0],
    ]);
    expect(answers.asked).toHaveLength(2);
  });

  it('turns a metrics backend error into a failed check, never a pass or no-data', async () => {
    const spec = analysis([check(), latency]);
    const down = new MetricsError('could not reach Prometheus at http://prometheus:9090: connect ECONNREFUSED');
    const verdicts = await evaluateChecks(spec, 'shift', vars, metrics({ traffic: down, latency: [bucket('+Inf', 100)] }), { final: false });
    expect(verdicts[0]).toMatchObject({ check: 'success', status: 'fail', reason: `metrics backend error: ${down.message}` });
    expect(verdicts[0]?.queries.map((q) => q.role)).toEqual(['traffic']);
    expect(verdicts[1]?.status).toBe('pass');
  });

  it('uses the analysis alpha for the stable comparison', async () => {
    const spec = analysis([check({ compare: 'relative', min: undefined })], { alpha: 0.1 });
    const traffic = [series('catalog-v2', '200', 116), series('catalog-v2', '500', 4), series('catalog-v1', '200', 1079), series('catalog-v1', '503', 1)];
    const [verdict] = await evaluateChecks(spec, 'shift', vars, metrics({ traffic }), { final: true });
    // 4 of the 5 errors on the canary: the always-valid part (0.2 × alpha = 0.02 at alpha 0.1) already decides.
    expect(verdict?.status).toBe('fail');
    expect(verdict?.evidence?.level).toBeCloseTo(0.02, 12);
    expect(verdict?.evidence?.stable).toEqual({ hits: 1, trials: 1080 });
  });

  it('quick looks judge the counted checks only, over the window since the stage started', async () => {
    const custom = check({ name: 'queue', type: 'custom', query: 'max(q{ns="{{ namespace }}"}[{{ interval }}])', min: 1, minRequests: 0 });
    const answers = metrics({ traffic: [series('catalog-v2', '200', 100)], value: 5 });
    const quick = await evaluateChecks(analysis([check(), custom]), 'shift', vars, answers, { final: false, quick: true, countedWindow: '45s' });
    expect(quick.map((v) => v.check)).toEqual(['success']);
    expect(answers.asked).toEqual([expect.stringContaining('[45s]')]);
    const recorded = await evaluateChecks(analysis([check(), custom]), 'shift', vars, answers, { final: false, countedWindow: '2m' });
    expect(recorded.map((v) => v.check)).toEqual(['success', 'queue']);
    expect(answers.asked.slice(1)).toEqual([expect.stringContaining('[2m]'), 'max(q{ns="shop"}[1m])']);
  });

  it('lets other errors through (a bug must not look like a canary verdict)', async () => {
    const spec = analysis([check()]);
    await expect(evaluateChecks(spec, 'shift', vars, metrics({ traffic: new TypeError('boom') }), { final: false })).rejects.toThrow('boom');
  });
});
