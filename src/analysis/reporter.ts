// Which proxy reports a service's L7 metrics, by data plane. With sidecars the server's sidecar
// reports `reporter="destination"` (served and mirrored requests) and the client's
// `reporter="source"` (also the failures that never reached a pod: NC, UH, UF). Behind an ambient
// waypoint the waypoint is the only L7 reporter, `reporter="waypoint"`, for served requests and its
// own local replies alike; ztunnel reports TCP only, and a mirrored (shadow) request is reported by
// nobody: Istio's stats filter counts the waypoint's downstream requests, a shadow is an upstream
// one, and the canary has no sidecar.
/** Which proxies handle the service's L7 traffic: sidecars, or an ambient waypoint. */
export type DataPlane = 'sidecar' | 'waypoint';

export interface Reporters {
  /** Where served requests are counted, per workload. */
  served: 'destination' | 'waypoint';
  /** Where failures that reached no pod are counted. */
  clientFailures: 'source' | 'waypoint';
  /** Whether mirrored requests are counted at all. */
  mirrorsReported: boolean;
}

export function reportersFor(dataPlane: DataPlane | undefined): Reporters {
  return dataPlane === 'waypoint'
    ? { served: 'waypoint', clientFailures: 'waypoint', mirrorsReported: false }
    : { served: 'destination', clientFailures: 'source', mirrorsReported: true };
}

/** The `reporter` values a data plane produces. */
export function reportedBy(dataPlane: DataPlane | undefined): string[] {
  return dataPlane === 'waypoint' ? ['waypoint'] : ['source', 'destination'];
}

/** For the report: which reporter the canary's metrics are read from, and why. */
export function describeReporter(dataPlane: DataPlane | undefined): string {
  return dataPlane === 'waypoint' ? 'metrics from reporter="waypoint" (ambient waypoint)' : 'metrics from reporter="destination" and reporter="source" (sidecars)';
}

/**
 * The reporter values a PromQL template selects with an equality matcher (`reporter="x"`), so a
 * query that could only see a reporter the data plane never produces is refused at load.
 */
export function selectedReporters(promql: string): string[] {
  return [...promql.matchAll(/\breporter\s*=\s*"([^"]*)"/g)].map((m) => m[1]!);
}
