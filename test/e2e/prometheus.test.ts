// The Prometheus adapter and the built-in check queries against the real Prometheus of the local mesh
// (scraping the mesh simulator).
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPrometheusMetrics } from '../../src/adapters/prometheus.ts';
import { quotePromqlString } from '../../src/analysis/escape.ts';
import { evaluateChecks } from '../../src/analysis/evaluate.ts';
import { planCheckQueries } from '../../src/analysis/checks/registry.ts';
import type { CheckSpec, CheckVerdict, Cohort, QueryVars } from '../../src/analysis/types.ts';
import { MetricsError } from '../../src/errors.ts';
import { createIstio, kubeConfig, uniqueNamespace, waitFor } from '../env/cluster.ts';
import { SimulatorClient } from '../sim/client.ts';

const { prometheusUrl } = inject('mesh');
const metrics = createPrometheusMetrics({ url: prometheusUrl, timeoutMs: 10_000, retry: { attempts: 2, baseDelayMs: 200 } });

describe('Prometheus adapter on a real Prometheus', () => {
  it('returns the value of a query with data', async () => {
    expect(await metrics.query('sum(up{job="mesh-simulator"})')).toBe(1);
  });

  it('returns undefined for a query without data, and NaN as NaN (issue 13: reported as what it is)', async () => {
    expect(await metrics.query('sum(istio_requests_total{destination_workload="no-such-workload"})')).toBeUndefined();
    expect(await metrics.query('vector(0) / 0')).toBeNaN();
    expect(await metrics.query('vector(-1) / 0')).toBe(-Infinity);
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
        for (const { promql, grouped } of planCheckQueries(check, cohort, vars)) {
          const values = grouped ? (await metrics.vector(promql)).map((s) => s.value) : [await metrics.query(promql)];
          for (const value of values) expect(value === undefined || Number.isFinite(value), promql).toBe(true);
        }
      }
    }
  });
});

describe('success-rate on the simulator: a canary subset without ready pods', () => {
  const ns = uniqueNamespace('prom-uh');
  const sim = new SimulatorClient(inject('mesh').simulatorUrl);
  afterAll(async () => {
    await sim.deleteService(ns, 'catalog').catch(() => undefined);
  });

  it('fails the check from the client side (503 UH) instead of reporting no data', async () => {
    await sim.putService(ns, 'catalog', {
      versions: [{ name: 'v1' }, { name: 'v2', readyReplicas: 0 }],
      load: { requestsPerSecond: 40, from: `${ns}/webapp`, headers: [] },
    });
    const kc = kubeConfig();
    const subsets = [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ];
    await createIstio(kc, { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'catalog', namespace: ns }, spec: { host: 'catalog', subsets } });
    const route = [
      { destination: { host: 'catalog', subset: 'v1' }, weight: 50 },
      { destination: { host: 'catalog', subset: 'v2' }, weight: 50 },
    ];
    await createIstio(kc, { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: ns }, spec: { hosts: ['catalog'], http: [{ name: 'primary', route }] } });

    const vars: QueryVars = {
      namespace: ns,
      service: `catalog.${ns}.svc.cluster.local`,
      canaryWorkload: 'catalog-v2',
      stableWorkload: 'catalog-v1',
      canaryVersion: 'v2',
      stableVersion: 'v1',
      interval: '30s',
    };
    const success: CheckSpec = { name: 'success', type: 'success-rate', min: 95, compare: 'both', minRequests: 10, noData: 'pass', failureLimit: 1 };
    const analysis = { interval: 30_000, prometheus: { headers: {} }, checks: [success], failureLimit: 1, alpha: 0.05 };
    const verdict = await waitFor(
      async () => {
        const [v] = await evaluateChecks(analysis, 'shift', vars, metrics, { final: false });
        return v?.status === 'fail' ? v : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: 'the success-rate check to fail on client-side UH' },
    );
    const value = (role: string) => verdict.queries.find((q: CheckVerdict['queries'][number]) => q.role === role)?.value;
    expect(value('canary-client-failures')).toBeGreaterThan(0);
    expect(value('canary-requests') ?? 0).toBe(0);
    expect(verdict.value).toBe(0);
    expect(verdict.reason).toContain('is above 5%');
  });
});
