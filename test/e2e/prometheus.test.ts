// The Prometheus adapter and the built-in check queries against the real Prometheus of the local mesh
// (scraping the mesh simulator).
import { describe, expect, inject, it } from 'vitest';
import { createPrometheusMetrics } from '../../src/adapters/prometheus.ts';
import { quotePromqlString } from '../../src/analysis/escape.ts';
import { planCheckQueries } from '../../src/analysis/queries.ts';
import type { CheckSpec, Cohort, QueryVars } from '../../src/analysis/types.ts';
import { MetricsError } from '../../src/errors.ts';

const { prometheusUrl } = inject('mesh');
const metrics = createPrometheusMetrics({ url: prometheusUrl, timeoutMs: 10_000, retry: { attempts: 2, baseDelayMs: 200 } });

describe('Prometheus adapter on a real Prometheus', () => {
  it('returns the value of a query with data', async () => {
    expect(await metrics.query('sum(up{job="mesh-simulator"})')).toBe(1);
  });

  it('returns undefined for a query without data', async () => {
    expect(await metrics.query('sum(istio_requests_total{destination_workload="no-such-workload"})')).toBeUndefined();
    expect(await metrics.query('vector(0) / 0')).toBeUndefined();
  });

  it('throws MetricsError with Prometheus own message for a syntax error', async () => {
    const query = 'sum(rate(istio_requests_total[1m])';
    const answer = metrics.query(query);
    await expect(answer).rejects.toBeInstanceOf(MetricsError);
    await expect(answer).rejects.toThrow(`Prometheus at ${prometheusUrl} answered HTTP 400 (bad_data): `);
    await expect(answer).rejects.toThrow(/parse error.*; query: sum\(rate\(istio_requests_total\[1m\]\)$/);
  });

  it('accepts every escape the analysis emits, with the value intact', async () => {
    const hostile = 'a"b\\c\nd\t\u0001"} or vector(5) or up{x="';
    expect(await metrics.query(`sum(up{job="mesh-simulator",instance!=${quotePromqlString(hostile)}})`)).toBe(1);
    // Round trip through Prometheus' own parser: the label value it reports is the value we quoted.
    const query = new URLSearchParams({ query: `label_replace(vector(1), "v", ${quotePromqlString(hostile)}, "", "")` });
    const body = (await (await fetch(`${prometheusUrl}/api/v1/query?${query}`)).json()) as { data: { result: Array<{ metric: { v: string } }> } };
    expect(body.data.result[0]?.metric.v).toBe(hostile);
  });

  it('refuses a query that returns several series', async () => {
    const query = 'label_replace(vector(1), "a", "x", "", "") or label_replace(vector(2), "a", "y", "", "")';
    await expect(metrics.query(query)).rejects.toThrow(MetricsError);
    await expect(metrics.query(query)).rejects.toThrow('answered 2 series');
  });

  it('runs every built-in check query without error', async () => {
    const vars: QueryVars = {
      namespace: 'default',
      service: 'catalog.default.svc.cluster.local',
      canaryWorkload: 'catalog-v2',
      stableWorkload: 'catalog-v1',
      canaryVersion: 'v2',
      stableVersion: 'v1',
      interval: '1m',
    };
    const base = { minRequests: 20, noData: 'fail', failureLimit: 1, compare: 'both' } as const;
    const checks: CheckSpec[] = [
      { ...base, name: 'success', type: 'success-rate', min: 99 },
      { ...base, name: 'latency', type: 'latency-p99', max: 500 },
    ];
    for (const cohort of ['dark-launch', 'mirror', 'shift'] as Cohort[]) {
      for (const check of checks) {
        for (const { promql } of planCheckQueries(check, cohort, vars)) {
          const value = await metrics.query(promql);
          expect(value === undefined || Number.isFinite(value), promql).toBe(true);
        }
      }
    }
  });
});
