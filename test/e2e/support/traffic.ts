// What the simulator and Prometheus saw of a release's traffic: deltas over a burst of requests sent
// during one stage, binomial bounds for the share that reached the canary, and Prometheus counters.
import { waitFor } from '../../env/cluster.ts';
import type { ServiceStats } from '../../sim/stats.ts';
import { live, mirrored, readVs, stateOf, type Release } from './release-fixture.ts';

export interface StageTraffic {
  /** Live requests answered by v1 / v2 during the burst (timed load included). */
  v1: number;
  v2: number;
  /** Shadow requests v2 received during the burst. */
  v2Mirrored: number;
  /** Stats after the burst (cumulative). */
  after: ServiceStats;
}

/**
 * Sends `count` requests now while the release is in `stageId`; fails when the stage changed
 * before the burst ended (the deltas would mix two stages).
 */
export async function burstInStage(release: Release, stageId: string, count: number): Promise<StageTraffic> {
  const before = await release.sim.stats(release.ns, 'catalog');
  const after = await release.sim.send(release.ns, 'catalog', count);
  const stage = stateOf(await readVs(release))?.history.at(-1)?.stage;
  if (stage !== stageId) throw new Error(`${release.ns}: the release left stage ${stageId} (now ${stage}) during the burst; lengthen the bake`);
  return {
    v1: live(after, 'v1') - live(before, 'v1'),
    v2: live(after, 'v2') - live(before, 'v2'),
    v2Mirrored: mirrored(after, 'v2') - mirrored(before, 'v2'),
    after,
  };
}

/** |observed share - p| within `z` standard deviations of a binomial(n, p) share. */
export function withinBinomial(successes: number, n: number, p: number, z = 4.5): boolean {
  const sd = Math.sqrt((p * (1 - p)) / n);
  return Math.abs(successes / n - p) <= z * sd + 1e-9;
}

/** Escapes a PromQL double-quoted label value. */
function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** istio_requests_total of v2 in the release's namespace per reporter side, from one evaluation (0 when absent). */
export async function promCanaryRequests(release: Release): Promise<{ source: number; destination: number }> {
  const query = `sum by (reporter) (istio_requests_total{destination_workload_namespace=${promString(release.ns)},destination_workload="catalog-v2"})`;
  const response = await fetch(`${release.env.prometheusUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { status: string; data?: { result: Array<{ metric: { reporter?: string }; value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`Prometheus query failed: ${query}`);
  const side = (reporter: string) => Number(body.data?.result.find((r) => r.metric.reporter === reporter)?.value[1] ?? 0);
  return { source: side('source'), destination: side('destination') };
}

/**
 * Waits for a scrape taken after `stats`: Prometheus' counts of v2 reach what the simulator had
 * counted (destination side: live + mirrored; source side: live), and returns that scrape's counts.
 */
export async function promAfter(release: Release, stats: ServiceStats): Promise<{ source: number; destination: number }> {
  const simTotal = live(stats, 'v2') + mirrored(stats, 'v2');
  return waitFor(async () => {
    const counts = await promCanaryRequests(release);
    return counts.destination >= simTotal && counts.source >= live(stats, 'v2') ? counts : undefined;
  }, { timeoutMs: 20_000, intervalMs: 250, what: `${release.ns}: Prometheus to scrape v2's ${simTotal} requests` });
}
