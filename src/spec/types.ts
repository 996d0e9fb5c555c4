// The Canary spec after parsing and defaulting. Durations are milliseconds. The analysis part (checks,
// their policies) is the analysis layer's own types: its check files define what a check is.
import type { DataPlane } from '../analysis/reporter.ts';
import type { AnalysisSpec } from '../analysis/types.ts';

export type { AnalysisSpec, CheckSpec, Comparison, NoDataPolicy } from '../analysis/types.ts';

export type StringMatch = { exact: string } | { prefix: string } | { regex: string } | Record<string, never>;

export interface VersionRef {
  /** routing httpRoute: the version's own Service (HTTPRoute has no subsets). */
  service?: string;
  /** DestinationRule subset name (DNS-1123 label); with `host`, the short name of the version's Service,
   * which then names the version in messages and the rollout state (no subset is written). */
  subset: string;
  /** One Service per version: the version's own Service, routed to without a subset (no DestinationRule). */
  host?: string;
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

export type EgressProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'HTTP2' | 'MONGO' | 'TCP' | 'TLS';

export interface EgressPort {
  number: number;
  protocol: EgressProtocol;
  /** ServiceEntry port name; default `<protocol>-<number>` in lowercase. */
  name: string;
}

/** An outside host the canary needs: one ServiceEntry (unless an existing one covers it). */
export interface EgressHost {
  /** DNS name or wildcard (`*.example.com`), outside the mesh. */
  host: string;
  ports: EgressPort[];
  /** Default DNS for a name, NONE for a wildcard. */
  resolution: 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE';
}

export interface EgressSpec {
  hosts: EgressHost[];
  /** The mesh's outbound mode when it cannot be read from the cluster. */
  mode?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** What the egress gate does with blocked or undeclared outbound calls: fail the stage, or warn. */
  policy: 'fail' | 'warn';
}

export interface CanarySpec {
  name: string;
  namespace: string;
  /** Which routing API carries the release; absent means virtualService (kept out of the spec hash of existing releases). */
  routing?: 'virtualService' | 'httpRoute';
  /** With routing httpRoute: the HTTPRoute; `virtualService`, `destinationRule` and subsets are then unused. */
  httpRoute?: HttpRouteRouting;
  /** With routing httpRoute: how long a write waits for Istio to accept the route, ms; absent: the
   * default (2 min). Not part of the spec hash: it changes how long a run waits, not the release. */
  acceptanceTimeout?: number;
  /** Which `reporter` the service's L7 metrics carry; absent means sidecar. */
  dataPlane?: DataPlane;
  /** The VirtualService's name (routing virtualService; empty with routing httpRoute). */
  virtualService: string;
  /** The one http route to release, by name or by index (counted without this canary's header rules);
   * absent: every route whose traffic for the host goes to the stable version. */
  route?: string | number;
  destinationRule: string;
  /** The host whose traffic is shifted: the spec's `host`, or with one Service per version the stable one's. */
  host: string;
  stable: VersionRef;
  canary: VersionRef;
  stages: StageSpec[];
  /** Default bake per stage, ms. */
  bake: number;
  /** Delay between a DestinationRule write and the VirtualService write that depends on it, ms (default 5s). */
  settle: number;
  analysis?: AnalysisSpec;
  /** Commit mode (routing committed to a GitOps repository); absent in apply mode, so apply-mode
   * specs hash as they always did. */
  mode?: 'commit';
  /** Where the managed objects live in git; given in commit mode (also kept when the action input
   * or CLI flag selects apply mode). */
  commit?: CommitSpec;
  /** Outbound traffic: ServiceEntries for these hosts and the egress gate; absent: neither. */
  egress?: EgressSpec;
  /** Where the spec came from, for messages. */
  source: { file?: string; document?: number };
}

/** How commit mode tells that a commit is in effect. */
export type SyncSource =
  | { kind: 'argocd'; name: string; namespace: string }
  | { kind: 'flux'; name: string; namespace: string }
  | { kind: 'live' }
  | { kind: 'fixed'; waitMs: number };

export interface SyncSettings {
  source: SyncSource;
  /** syncTimeout, ms (default 10 minutes). */
  timeoutMs: number;
  /** Between two looks, ms (default 5 s). */
  pollMs: number;
}

export interface CommitSpec {
  /** The checkout (a directory) or a remote URL. */
  repository: string;
  branch: string;
  /** Default: `github` in the action, `git` in the CLI. */
  push?: 'git' | 'github';
  /** The file of every managed object `files` does not place, and of objects a release creates. */
  file: string;
  /** `Kind/name` → file. */
  files: Record<string, string>;
  sync: SyncSettings;
}
