import type { CheckSpec } from '../spec/types.ts';

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
  /** PromQL duration, e.g. `1m` or `30s`. */
  interval: string;
}

/** A query to run, with why it is run: kept in the history so reports can show it. */
export interface PlannedQuery {
  /** e.g. `canary-requests`, `canary-errors`, `stable-requests`, `value`, `stable-value`. */
  role: string;
  promql: string;
}

/** One query's outcome: a number, or no data (empty vector / NaN). */
export type QueryResult = { role: string; promql: string; value: number | undefined };

export type VerdictStatus = 'pass' | 'fail' | 'no-data';

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
  queries: QueryResult[];
}

/** What the engine should do after an evaluation of all checks of a stage. */
export type StageDecision = 'continue' | 'hold' | 'fail';

export type { CheckSpec };
