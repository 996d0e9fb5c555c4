// The Canary spec after parsing and defaulting. Durations are milliseconds.

export type StringMatch = { exact: string } | { prefix: string } | { regex: string } | Record<string, never>;

export interface VersionRef {
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

export type NoDataPolicy = 'fail' | 'hold' | 'pass';
export type Comparison = 'absolute' | 'relative' | 'both';

export interface CheckSpec {
  name: string;
  /** `success-rate` (percent, higher is better), `latency-p99` (ms, lower is better), or a custom PromQL template. */
  type: 'success-rate' | 'latency-p99' | 'custom';
  /** Absolute lower bound (success-rate: percent; custom: value). */
  min?: number;
  /** Absolute upper bound (latency-p99: ms; custom: value). */
  max?: number;
  /** absolute: thresholds only; relative: canary vs stable; both. Default absolute (relative needs stable traffic). */
  compare: Comparison;
  /** Relative latency: canary p99 may be at most this factor of stable's (default 1.5). */
  maxRatio?: number;
  /** Custom check: PromQL template with `{{ namespace }}`, `{{ canaryWorkload }}`, `{{ stableWorkload }}`,
   * `{{ canaryVersion }}`, `{{ stableVersion }}`, `{{ service }}`, `{{ interval }}`. */
  query?: string;
  /** Fewer requests than this in the window counts as no data. Default 20 (built-in checks). */
  minRequests: number;
  noData: NoDataPolicy;
  /** Failed evaluations of this check within one stage that fail the stage. Default from analysis. */
  failureLimit: number;
}

export interface AnalysisSpec {
  /** Evaluation interval and query window in ms (default 1m). */
  interval: number;
  prometheus: {
    url?: string;
    headers: Record<string, string>;
    /** Name of an environment variable holding a bearer token (never the token itself in the spec). */
    bearerTokenEnv?: string;
  };
  checks: CheckSpec[];
  failureLimit: number;
  /** How long a `hold` no-data policy may extend a stage's bake, ms (default: one more bake). */
  maxHold?: number;
  /** 1 − confidence of each stage's gate (corrected for the gate's repeated looks). Default 0.05. */
  alpha: number;
  /** Strict mode: a stage passes only when its counted checks show the canary within its limits (it holds until then). */
  strict?: boolean;
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
  /** Outbound traffic: ServiceEntries for these hosts and the egress gate; absent: neither. */
  egress?: EgressSpec;
  /** Where the spec came from, for messages. */
  source: { file?: string; document?: number };
}
