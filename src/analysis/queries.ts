// The PromQL the check types build on: Istio's standard metrics for the canary's workload.
//
// Which side reports what (see reference/istio-semantics.md, Telemetry):
// - Workload metrics are taken from `reporter="destination"`, selected by the destination workload and
//   its namespace (not by destination_service: shadow requests may carry a `-shadow` host).
// - mirror: shadow requests are reported by the canary's proxy only, so the canary is judged from the
//   destination side alone; there is no client to see failures that never reached it.
// - dark-launch: the only requests the canary receives in that stage are the header cohort's, so its
//   destination-side series ARE the header cohort's traffic; no extra header filter is needed.
// - shift (and dark-launch): a canary subset without ready endpoints (503 UH), a missing subset (NC)
//   or a failed connection (UF) never reaches the canary, so only `reporter="source"` sees it, with no
//   destination workload. Those failures cannot be attributed to a subset by label, so every such
//   failure for the service during the stage is counted against the canary as both a request and an
//   error (`canary-client-failures`). This fails closed: a canary nobody can reach fails its
//   success-rate check instead of showing "no data", at the price of also blaming the canary for a
//   stable-side UH in the same window (and for a same-named short host in another namespace).
import { escapeRe2, quotePromqlString } from './escape.ts';
import type { CheckSpec, Cohort, PlannedQuery, QueryVars } from './types.ts';
export const ROLE = {
  canaryRequests: 'canary-requests',
  canaryErrors: 'canary-errors',
  canaryClientFailures: 'canary-client-failures',
  stableRequests: 'stable-requests',
  stableErrors: 'stable-errors',
  canaryLatency: 'canary-latency',
  stableLatency: 'stable-latency',
  value: 'value',
  /** Grouped queries: requests by workload and response code; latency buckets by workload. */
  traffic: 'traffic',
  latency: 'latency',
} as const;

/** Envoy reports several response flags joined by commas (a refused connection retried to the limit is
 * `UF,URX`), and PromQL anchors a regex at both ends: match the flag anywhere in the list. */
export const CLIENT_SIDE_FAILURE_FLAGS = '(.*,)?(UH|NC|UF)(,.*)?';

function matchers(pairs: Array<[string, string]>, extra: string[] = []): string {
  return [...pairs.map(([label, value]) => `${label}=${quotePromqlString(value)}`), ...extra].join(',');
}

export function workloadMatchers(vars: QueryVars, workload: string, extra: string[] = []): string {
  return matchers(
    [
      ['reporter', 'destination'],
      ['destination_workload_namespace', vars.namespace],
      ['destination_workload', workload],
    ],
    extra,
  );
}

export function requestCount(selector: string, interval: string): string {
  return `sum(increase(istio_requests_total{${selector}}[${interval}]))`;
}

/** The workloads a grouped query covers: the canary's, and stable's when it is compared with. */
function workloadsMatcher(vars: QueryVars, withStable: boolean): string[] {
  const names = withStable ? [vars.canaryWorkload, vars.stableWorkload] : [vars.canaryWorkload];
  return [
    `reporter="destination"`,
    `destination_workload_namespace=${quotePromqlString(vars.namespace)}`,
    `destination_workload=~${quotePromqlString(names.map(escapeRe2).join('|'))}`,
  ];
}

/** Requests by workload and response code in one vector: the canary's and stable's requests and 5xx,
 * and (unless mirrored: shadow traffic has no client) the client-side failures as one more series. */
export function trafficQuery(vars: QueryVars, withStable: boolean, withClientFailures: boolean): string {
  const served = `sum by (destination_workload, response_code) (increase(istio_requests_total{${workloadsMatcher(vars, withStable).join(',')}}[${vars.interval}]))`;
  return withClientFailures ? `${served} or ${clientFailures(vars)}` : served;
}

/** Latency histogram buckets by workload in one vector: counts, the share over a bound, and the p99. */
export function latencyQuery(vars: QueryVars, withStable: boolean): string {
  return `sum by (destination_workload, le) (increase(istio_request_duration_milliseconds_bucket{${workloadsMatcher(vars, withStable).join(',')}}[${vars.interval}]))`;
}

/**
 * The names a client may have used for the service. Without a cluster (NC) the client's proxy labels
 * `destination_service` with the host it was asked for, which may be short (`catalog`), partial
 * (`catalog.shop`) or carry a port.
 */
export function serviceHostPattern(service: string): string {
  const parts = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(service);
  const names = parts ? [service, parts[1], `${parts[1]}.${parts[2]}`, `${parts[1]}.${parts[2]}.svc`] : [service];
  return `(${names.map((n) => escapeRe2(n ?? '')).join('|')})(:[0-9]+)?`;
}

/** The `destination_workload` under which a traffic query carries the client-side failures: a colon
 * cannot occur in a Kubernetes workload name, so no real series can be mistaken for it. */
export const CLIENT_FAILURES_SERIES = ':client-failures';

/** Client-side failures for the service (source side, no destination workload), as one series labelled CLIENT_FAILURES_SERIES. */
function clientFailures(vars: QueryVars): string {
  const selector = matchers(
    [['reporter', 'source']],
    [`destination_service=~${quotePromqlString(serviceHostPattern(vars.service))}`, `response_flags=~"${CLIENT_SIDE_FAILURE_FLAGS}"`],
  );
  return `label_replace(${requestCount(selector, vars.interval)}, "destination_workload", "${CLIENT_FAILURES_SERIES}", "", "")`;
}

export function comparesWithStable(check: CheckSpec, cohort: Cohort): boolean {
  return cohort === 'shift' && (check.compare === 'relative' || check.compare === 'both');
}

export function grouped(kind: 'traffic' | 'latency', vars: QueryVars, withStable: boolean): PlannedQuery['grouped'] {
  return withStable ? { kind, canary: vars.canaryWorkload, stable: vars.stableWorkload } : { kind, canary: vars.canaryWorkload };
}
