// Which traffic a stage is judged on, and the values its query templates see.
import { resolveHost } from '../istio/hosts.ts';
import { reportersFor, type DataPlane } from './reporter.ts';
import type { Cohort, QueryVars } from './types.ts';

/** What of a canary the queries name (the spec's CanarySpec has these). */
export interface QueriedCanary {
  namespace: string;
  host: string;
  stable: { workload: string; version?: string; host?: string };
  canary: { workload: string; version?: string; host?: string };
  /** Which proxies report its metrics (default sidecar). */
  dataPlane?: DataPlane;
}

export function cohortOf(stage: { kind: 'darkLaunch' | 'mirror' | 'weight' }): Cohort {
  switch (stage.kind) {
    case 'darkLaunch':
      return 'dark-launch';
    case 'mirror':
      return 'mirror';
    case 'weight':
      return 'shift';
  }
}

/** A PromQL duration for a window in ms, in the largest unit that divides it exactly. */
export function promqlDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`query window must be a positive whole number of ms, got ${ms}`);
  const units: Array<[string, number]> = [['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Template values for this canary with a query window of `windowMs`. Missing versions stay empty, and rendering a template that needs one fails. */
export function queryVarsFor(spec: QueriedCanary, windowMs: number): QueryVars {
  // Istio's `destination_service` label is the host as pilot resolves it (the FQDN for a service).
  const service = resolveHost(spec.host, spec.namespace);
  return {
    namespace: spec.namespace,
    service,
    canaryService: spec.canary.host !== undefined ? resolveHost(spec.canary.host, spec.namespace) : service,
    stableService: spec.stable.host !== undefined ? resolveHost(spec.stable.host, spec.namespace) : service,
    canaryWorkload: spec.canary.workload,
    stableWorkload: spec.stable.workload,
    canaryVersion: spec.canary.version ?? '',
    stableVersion: spec.stable.version ?? '',
    interval: promqlDuration(windowMs),
    reporter: reportersFor(spec.dataPlane).served,
    clientReporter: reportersFor(spec.dataPlane).clientFailures,
    ...(spec.stable.host !== undefined && spec.canary.host !== undefined
      ? { services: { canary: resolveHost(spec.canary.host, spec.namespace), stable: resolveHost(spec.stable.host, spec.namespace) } }
      : {}),
  };
}
