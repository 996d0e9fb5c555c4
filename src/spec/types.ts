// The Canary spec after parsing and defaulting. Durations are milliseconds. The analysis part (checks,
// their policies) is the analysis layer's own types: its check files define what a check is.
import type { DataPlane } from '../analysis/reporter.ts';
import type { AnalysisSpec } from '../analysis/types.ts';

export type { AnalysisSpec, CheckSpec, Comparison, NoDataPolicy } from '../analysis/types.ts';

export type StringMatch = { exact: string } | { prefix: string } | { regex: string } | Record<string, never>;

export interface VersionRef {
  /** routing httpRoute: the version's own Service (HTTPRoute has no subsets). */
  service?: string;
  /** DestinationRule subset name (DNS-1123 label). */
  subset: string;
  /** Pod labels the subset selects. */
  labels: Record<string, string>;
  /** Workload name as Istio telemetry reports it (`destination_workload`); default `<host short name>-<labels.version>`. */
  workload: string;
  /** Value of the `version` pod label (`destination_version` in telemetry), when the labels have one. */
  version?: string;
}

interface StageCommon {
  /** Bake time of this stage in ms (the spec's `bake` unless overridden). */
  bake: number;
  /** `run` stops after this stage (state "paused") until `advance` or `promote`. */
  pause: boolean;
}

export interface DarkLaunchStage extends StageCommon {
  kind: 'darkLaunch';
  /** Header name (lowercase) → match. Default `{ 'x-istio-cohort': { exact: 'internal' } }`. */
  headers: Record<string, StringMatch>;
  /** Keep the header rule through later stages (default true); removed at promotion and rollback. */
  keep: boolean;
}

export interface MirrorStage extends StageCommon {
  kind: 'mirror';
  /** 0 < percentage <= 100. */
  percentage: number;
}

export interface WeightStage extends StageCommon {
  kind: 'weight';
  /** Canary weight 0..100; weights across stages strictly increase. */
  weight: number;
}

export type StageSpec = DarkLaunchStage | MirrorStage | WeightStage;

/** Which proxies handle the service's L7 traffic: sidecars, or an ambient waypoint (the analysis layer's type). */
export type { DataPlane };

/** routing httpRoute: the Gateway API HTTPRoute that carries the release. */
export interface HttpRouteRouting {
  /** Name of the HTTPRoute (in the spec's namespace). */
  name: string;
}

export interface CanarySpec {
  name: string;
  namespace: string;
  /** Which routing API carries the release; absent means virtualService (kept out of the spec hash of existing releases). */
  routing?: 'virtualService' | 'httpRoute';
  /** With routing httpRoute: the HTTPRoute; `virtualService`, `destinationRule` and subsets are then unused. */
  httpRoute?: HttpRouteRouting;
  /** Which `reporter` the service's L7 metrics carry; absent means sidecar. */
  dataPlane?: DataPlane;
  /** The VirtualService's name (routing virtualService; empty with routing httpRoute). */
  virtualService: string;
  /** Name of the owned http route; optional when the VS has exactly one route without match. */
  route?: string;
  destinationRule: string;
  host: string;
  stable: VersionRef;
  canary: VersionRef;
  stages: StageSpec[];
  /** Default bake per stage, ms. */
  bake: number;
  /** Delay between a DestinationRule write and the VirtualService write that depends on it, ms (default 5s). */
  settle: number;
  analysis?: AnalysisSpec;
  /** Where the spec came from, for messages. */
  source: { file?: string; document?: number };
}
