// A grouped query's vector split into the numbers the judgement reads: one query per check per
// evaluation fetches the canary's and stable's requests and errors (by response code) or latency
// buckets (by `le`) at once, and this turns the series into per-role results.
import type { Sample } from './metrics-source.ts';
import { CLIENT_FAILURES_SERIES, ROLE } from './queries.ts';
import type { Buckets, PlannedQuery, QueryResult, VersionLabel } from './types.ts';

const SERVER_ERROR = /^5\d\d$/;

function whoseSeries(labels: Record<string, string>, grouped: { canary: string; stable?: string; label?: VersionLabel }): 'canary' | 'stable' | undefined {
  const version = labels[grouped.label ?? 'destination_workload'];
  if (version === grouped.canary) return 'canary';
  if (grouped.stable !== undefined && version === grouped.stable) return 'stable';
  return undefined;
}

function trafficResults(query: PlannedQuery, samples: Sample[]): QueryResult[] {
  const grouped = query.grouped!;
  const sums = { canary: { requests: undefined as number | undefined, errors: 0 }, stable: { requests: undefined as number | undefined, errors: 0 } };
  let clientFailures: number | undefined;
  for (const sample of samples) {
    if (sample.labels[grouped.label ?? 'destination_workload'] === CLIENT_FAILURES_SERIES) {
      clientFailures = (clientFailures ?? 0) + sample.value;
      continue;
    }
    const who = whoseSeries(sample.labels, grouped);
    if (!who) continue;
    sums[who].requests = (sums[who].requests ?? 0) + sample.value;
    if (SERVER_ERROR.test(sample.labels.response_code ?? '')) sums[who].errors += sample.value;
  }
  const of = (role: string, value: number | undefined): QueryResult => ({ role, promql: query.promql, value });
  const results = [of(ROLE.canaryRequests, sums.canary.requests), of(ROLE.canaryErrors, sums.canary.errors)];
  if (query.promql.includes(CLIENT_FAILURES_SERIES)) results.push(of(ROLE.canaryClientFailures, clientFailures ?? 0));
  if (grouped.stable !== undefined) results.push(of(ROLE.stableRequests, sums.stable.requests), of(ROLE.stableErrors, sums.stable.errors));
  return results;
}

function parseBound(le: string | undefined): number | undefined {
  if (le === '+Inf') return Infinity;
  const bound = Number(le);
  return le === undefined || le === '' || Number.isNaN(bound) ? undefined : bound;
}

function latencyResults(query: PlannedQuery, samples: Sample[]): QueryResult[] {
  const grouped = query.grouped!;
  const byWho = { canary: new Map<number, number>(), stable: new Map<number, number>() };
  for (const sample of samples) {
    const who = whoseSeries(sample.labels, grouped);
    const bound = parseBound(sample.labels.le);
    if (!who || bound === undefined) continue;
    byWho[who].set(bound, (byWho[who].get(bound) ?? 0) + sample.value);
  }
  const bucketsOf = (m: Map<number, number>): Buckets => [...m.entries()].sort((a, b) => a[0] - b[0]);
  const results: QueryResult[] = [];
  const canary = bucketsOf(byWho.canary);
  results.push({ role: ROLE.canaryRequests, promql: query.promql, value: canary.at(-1)?.[0] === Infinity ? canary.at(-1)![1] : undefined });
  results.push({ role: ROLE.canaryLatency, promql: query.promql, value: undefined, buckets: canary });
  if (grouped.stable !== undefined && byWho.stable.size > 0) {
    results.push({ role: ROLE.stableLatency, promql: query.promql, value: undefined, buckets: bucketsOf(byWho.stable) });
  }
  return results;
}

/** A `series` query's answer as one result per side (`<role>:canary`, `<role>:stable`): the sum of its values and its series. */
function seriesResults(query: PlannedQuery, samples: Sample[]): QueryResult[] {
  const grouped = query.grouped;
  if (grouped?.kind !== 'series') return [];
  const side = (workload: string): QueryResult => {
    const series = samples.filter((s) => s.labels[grouped.by] === workload && Number.isFinite(s.value));
    return { role: `${query.role}:${workload === grouped.canary ? 'canary' : 'stable'}`, promql: query.promql, value: series.reduce((sum, s) => sum + s.value, 0), series };
  };
  return grouped.stable === undefined ? [side(grouped.canary)] : [side(grouped.canary), side(grouped.stable)];
}

/** The per-role results of a grouped query's answer. */
export function splitGrouped(query: PlannedQuery, samples: Sample[]): QueryResult[] {
  if (query.grouped?.kind === 'series') return seriesResults(query, samples);
  return query.grouped?.kind === 'latency' ? latencyResults(query, samples) : trafficResults(query, samples);
}
