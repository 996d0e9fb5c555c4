// The PromQL the check types build on: Istio's standard metrics for the canary's workload.
//
// Which side reports what (see reference/istio-semantics.md, Telemetry; behind an ambient waypoint
// both sides below are `reporter="waypoint"`, see reporter.ts):
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
// - One Service per version (`stable: {host}`, `canary: {host}`): both versions may run under one
//   workload name (Argo Rollouts' layout: pods told apart by a label), so each version is selected by
//   its Service, `destination_service`, from `reporter="source"`: the client's proxy labels it from the
//   cluster the route chose (the canary's Service for requests routed there), while the server's proxy
//   has only the Host the client asked for (the stable host). Client-side failures towards the canary
//   Service (UH, UF) are then in the canary's own series; those for the released host (NC: no cluster)
//   are still counted against the canary. Shadow requests have no source report, so the mirror stage
//   is judged by workload (the spec refuses a mirror stage when both versions share one).
import { escapeRe2, quotePromqlString } from './escape.ts';
import type { CheckSpec, Cohort, PlannedQuery, QueryVars, VersionLabel } from './types.ts';
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

/** How the queries tell the versions apart: by workload with subsets, by Service with one Service per version. */
interface VersionSelection {
  label: VersionLabel;
  canary: string;
  stable: string;
  /** Matchers every destination-side series of this canary has besides the version's own. */
  scope: Array<[string, string]>;
}

function selectionOf(vars: QueryVars, mirrored: boolean): VersionSelection {
  return vars.services && !mirrored
    ? { label: 'destination_service', canary: vars.services.canary, stable: vars.services.stable, scope: [['reporter', 'source']] }
    : {
        label: 'destination_workload',
        canary: vars.canaryWorkload,
        stable: vars.stableWorkload,
        scope: [
          ['reporter', vars.reporter ?? 'destination'],
          ['destination_workload_namespace', vars.namespace],
        ],
      };
}

/** The matchers of the canary's own requests (`mirrored`: in the mirror stage, where only the destination reports). */
export function canaryMatchers(vars: QueryVars, mirrored: boolean): string {
  const selection = selectionOf(vars, mirrored);
  return matchers([...selection.scope, [selection.label, selection.canary]]);
}

export function requestCount(selector: string, interval: string): string {
  return `sum(increase(istio_requests_total{${selector}}[${interval}]))`;
}

/** The versions a grouped query covers: the canary's, and stable's when it is compared with. */
function versionsMatcher(vars: QueryVars, withStable: boolean, mirrored: boolean): string {
  const selection = selectionOf(vars, mirrored);
  const names = withStable ? [selection.canary, selection.stable] : [selection.canary];
  return matchers(selection.scope, [`${selection.label}=~${quotePromqlString(names.map(escapeRe2).join('|'))}`]);
}

/** Requests by version and response code in one vector: the canary's and stable's requests and 5xx,
 * and (unless mirrored: shadow traffic has no client) the client-side failures as one more series. */
export function trafficQuery(vars: QueryVars, withStable: boolean, mirrored: boolean): string {
  const label = selectionOf(vars, mirrored).label;
  const served = `sum by (${label}, response_code) (increase(istio_requests_total{${versionsMatcher(vars, withStable, mirrored)}}[${vars.interval}]))`;
  return mirrored ? served : `${served} or ${clientFailures(vars, label)}`;
}

/** Latency histogram buckets by version in one vector: counts, the share over a bound, and the p99. */
export function latencyQuery(vars: QueryVars, withStable: boolean, mirrored: boolean): string {
  return `sum by (${selectionOf(vars, mirrored).label}, le) (increase(istio_request_duration_milliseconds_bucket{${versionsMatcher(vars, withStable, mirrored)}}[${vars.interval}]))`;
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

/** The version label value under which a traffic query carries the client-side failures: a colon
 * cannot occur in a Kubernetes workload name nor in a Service's FQDN, so no real series can be mistaken for it. */
export const CLIENT_FAILURES_SERIES = ':client-failures';

/** Client-side failures (source side, no destination workload) for the released host, as one series
 * whose version label is CLIENT_FAILURES_SERIES. (With one Service per version those towards the canary
 * Service are already in its own source-side series.) */
function clientFailures(vars: QueryVars, label: VersionLabel): string {
  const selector = matchers(
    [['reporter', vars.clientReporter ?? 'source']],
    [`destination_service=~${quotePromqlString(serviceHostPattern(vars.service))}`, `response_flags=~"${CLIENT_SIDE_FAILURE_FLAGS}"`],
  );
  return `label_replace(${requestCount(selector, vars.interval)}, "${label}", "${CLIENT_FAILURES_SERIES}", "", "")`;
}

export function comparesWithStable(check: CheckSpec, cohort: Cohort): boolean {
  return cohort === 'shift' && (check.compare === 'relative' || check.compare === 'both');
}

export function grouped(kind: 'traffic' | 'latency', vars: QueryVars, withStable: boolean, mirrored: boolean): PlannedQuery['grouped'] {
  const { label, canary, stable } = selectionOf(vars, mirrored);
  const by = label === 'destination_workload' ? {} : { label };
  return withStable ? { kind, canary, stable, ...by } : { kind, canary, ...by };
}
