import { describe, expect, it } from 'vitest';
import { evaluateChecks } from '../../../src/analysis/evaluate.ts';
import { planCheckQueries } from '../../../src/analysis/queries.ts';
import type { MetricsPort } from '../../../src/engine/ports.ts';
import { MetricsError } from '../../../src/errors.ts';
import { analysis, check, vars } from './fixtures.ts';

/** Answers by query role, using the planned PromQL to know which role a query is; records every query. */
function metricsByRole(spec: ReturnType<typeof analysis>, answers: Record<string, number | undefined | Error>): MetricsPort & { asked: string[] } {
  const roleOf = new Map(spec.checks.flatMap((c) => planCheckQueries(c, 'shift', vars)).map((q) => [q.promql, q.role]));
  const asked: string[] = [];
  return {
    asked,
    async query(promql) {
      asked.push(promql);
      const answer = answers[roleOf.get(promql) ?? ''];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const latency = check({ name: 'latency', type: 'latency-p99', min: undefined, max: 300 });

describe('evaluateChecks', () => {
  it('runs every planned query and judges each check', async () => {
    const spec = analysis([check(), latency]);
    const metrics = metricsByRole(spec, { 'canary-requests': 1000, 'canary-client-failures': 0, 'canary-errors': 1, value: 120 });
    const verdicts = await evaluateChecks(spec, 'shift', vars, metrics, { looks: 3 });
    expect(verdicts.map((v) => [v.check, v.status, v.value])).toEqual([
      ['success', 'pass', 99.9],
      ['latency', 'pass', 120],
    ]);
    expect(verdicts[0]?.queries.map((q) => q.value)).toEqual([1000, 0, 1]);
    expect(metrics.asked).toHaveLength(5);
  });

  it('turns a metrics backend error into a failed check, never a pass or no-data', async () => {
    const spec = analysis([check(), latency]);
    const down = new MetricsError('could not reach Prometheus at http://prometheus:9090: connect ECONNREFUSED');
    const verdicts = await evaluateChecks(spec, 'shift', vars, metricsByRole(spec, { 'canary-requests': 1000, 'canary-errors': down, value: 100 }), { looks: 1 });
    expect(verdicts[0]).toMatchObject({ check: 'success', status: 'fail', reason: `metrics backend error: ${down.message}` });
    expect(verdicts[0]?.queries.map((q) => q.role)).toEqual(['canary-requests', 'canary-client-failures', 'canary-errors']);
    expect(verdicts[1]?.status).toBe('pass');
  });

  it('uses the analysis alpha and the number of looks for the stable comparison', async () => {
    const spec = analysis([check({ compare: 'relative', min: undefined })], { alpha: 0.1 });
    const counts = { 'canary-requests': 120, 'canary-errors': 4, 'stable-requests': 1080, 'stable-errors': 1 };
    const [verdict] = await evaluateChecks(spec, 'shift', vars, metricsByRole(spec, counts), { looks: 5 });
    expect(verdict?.threshold).toBe('binomial p >= 0.02 (canary errors no worse than stable)');
  });

  it('lets other errors through (a bug must not look like a canary verdict)', async () => {
    const spec = analysis([check()]);
    await expect(evaluateChecks(spec, 'shift', vars, metricsByRole(spec, { 'canary-requests': new TypeError('boom') }), { looks: 1 })).rejects.toThrow('boom');
  });
});
