// The analysis' types: what a check and an analysis are (the spec embeds them), what queries it runs and what it concludes.
import type { Sample } from './metrics-source.ts';

/** Which traffic a stage's checks look at. */
export type Cohort =
  /** dark launch: only requests carrying the header reach the canary; judge canary destination-side. */
  | 'dark-launch'
  /** mirror: the canary sees shadow traffic only, visible under reporter="destination" only. */
  | 'mirror'
  /** weights: live traffic split between stable and canary; canary vs stable comparisons apply. */
  | 'shift';

/** Values substituted into query templates; every value is escaped for a PromQL string literal. */
export interface QueryVars {
  namespace: string;
  /** FQDN of the service, e.g. catalog.istioinaction.svc.cluster.local. */
  service: string;
  canaryWorkload: string;
  stableWorkload: string;
  canaryVersion: string;
  stableVersion: string;
  /** The Service each version answers as, as `destination_service` has it (FQDN): the version's own
   * Service with one Service per version, else the canary's host. Always set by queryVarsFor. */
  canaryService?: string;
  stableService?: string;
  /** With one Service per version: each version's Service (FQDN, as `destination_service` has it), by which the queries select it (its
   * workload may be shared, as in Argo Rollouts' layout). Absent with subsets. */
  services?: { canary: string; stable: string };
  /** PromQL duration, e.g. `1m` or `30s`. */
  interval: string;
  /** Reporter of served requests: `destination` (sidecars, the default) or `waypoint` (ambient);
   * templates use it as `reporter="{{ reporter }}"`. */
  reporter?: 'destination' | 'waypoint';
  /** Reporter of failures that reached no pod: `source` (sidecars, the default) or `waypoint`. */
  clientReporter?: 'source' | 'waypoint';
}

/** The label a grouped query tells the versions apart by: the workload (subsets), or the Service's FQDN (one Service per version). */
export type VersionLabel = 'destination_workload' | 'destination_service';

/** A query to run, with why it is run: kept in the history so reports can show it. */
export interface PlannedQuery {
  /** e.g. `canary-requests`, `canary-client-failures`, `value`; for a grouped query, what it fetches (`traffic`, `latency`). */
  role: string;
  promql: string;
  /** A grouped query: one vector whose series are split by `label` (default `destination_workload`) into the canary's and
   * stable's numbers (`series`: split by the label `by` into `<role>:canary` and `<role>:stable`, each kept whole with its
   * labels, for a check that reads them itself). */
  grouped?: { kind: 'traffic' | 'latency'; canary: string; stable?: string; label?: VersionLabel } | { kind: 'series'; by: string; canary: string; stable?: string; label?: never };
}

/** A histogram's cumulative counts: [upper bound in ms (`le`, Infinity for +Inf), requests at or below it], ascending. */
export type Buckets = Array<[number, number]>;

/** One number's outcome: a number (possibly NaN or ±Inf, as Prometheus answered it), or no data (empty vector).
 * A grouped query yields one result per number it carries, each with the grouped query's PromQL. */
export type QueryResult = { role: string; promql: string; value: number | undefined; buckets?: Buckets; series?: Sample[] };

/** What a counted check found, as data for reports: a sentence and the numbers behind it. */
export interface Evidence {
  /** One sentence a person reads in a second, e.g. "canary errors 28/73 vs stable 0/84 — worse than stable with p = 5e-10". */
  summary: string;
  /** The canary's hits (errors, or requests slower than the limit) of its requests, summed since the stage started. */
  canary?: { hits: number; trials: number };
  stable?: { hits: number; trials: number };
  /** The p-value that decided (or came closest to deciding) and the level it was held against. */
  p?: number;
  level?: number;
  /** Absolute counted checks at the stage's last look: the smallest rate (0..1) that this much traffic
   * shows above the limit with 90 % probability, and whether that misses a real problem (5 × the allowed rate). */
  caughtRate?: number;
  underpowered?: boolean;
}

/** `unproven` (strict mode only): no evidence against the canary, but none yet that it is within its limit either. */
export type VerdictStatus = 'pass' | 'fail' | 'no-data' | 'unproven';

/** One evaluation of one check. Everything needed to explain it later. */
export interface CheckVerdict {
  check: string;
  status: VerdictStatus;
  /** The measured canary value (percent, ms, or custom units), when there was one. */
  value?: number;
  /** The comparable stable value, for relative checks. */
  stableValue?: number;
  /** Human text of the threshold, e.g. ">= 99%" or "p <= 0.0125 (binomial, canary vs stable)". */
  threshold: string;
  /** Short reason in words, e.g. "canary 4/120 errors vs stable 1/1080: p=0.003". */
  reason: string;
  /** Requests seen in the window (canary), when known. */
  requests?: number;
  /** Counted checks: the test's evidence in words and numbers. */
  evidence?: Evidence;
  queries: QueryResult[];
}

/** What the engine should do after an evaluation of all checks of a stage. */
export type StageDecision = 'continue' | 'hold' | 'fail';

export type NoDataPolicy = 'fail' | 'hold' | 'pass';
export type Comparison = 'absolute' | 'relative' | 'both';

export interface CheckSpec {
  name: string;
  /** A check type of the registry (src/analysis/checks/registry.ts): `success-rate` (percent, higher is
   * better), `latency-p99` (ms, lower is better), `custom` (a PromQL template). */
  type: string;
  /** Absolute lower bound (success-rate: percent; custom: value). */
  min?: number;
  /** Absolute upper bound (latency-p99: ms; custom: value). */
  max?: number;
  /** absolute: thresholds only; relative: canary vs stable; both. Default absolute (relative needs stable traffic). */
  compare: Comparison;
  /** Relative latency: canary p99 may be at most this factor of stable's (default 1.5). */
  maxRatio?: number;
  /** Custom check: PromQL template with `{{ namespace }}`, `{{ service }}`, `{{ canaryService }}`, `{{ stableService }}`, `{{ canaryWorkload }}`, `{{ stableWorkload }}`,
   * `{{ canaryVersion }}`, `{{ stableVersion }}`, `{{ reporter }}`, `{{ clientReporter }}`, `{{ interval }}`. */
  query?: string;
  /** Egress gate: the declared outside hosts (exact or `*.suffix`), from spec.egress.hosts. */
  hosts?: string[];
  /** Egress gate: fail the stage, or pass with a warning. */
  policy?: 'fail' | 'warn';
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
