// The parts every check type judges with (src/analysis/checks/ holds one file a check type).
// Thresholds: absolute (against the spec's min/max), relative (canary against stable, weight stages
// only), or both (each applicable part must pass). Too little traffic is `no-data`; what that means
// for the stage is decide.ts's business.
//
// Counted checks (success rate; latency against an absolute max) are innocent until shown guilty:
// they fail only when the counts since the stage started show, with sequential.ts's test at the
// analysis' alpha (split evenly over the parts judged), that the canary is worse than its limit.
// A point value (a custom query, the relative latency ratio) is compared as it is: there is no
// count behind it to test.
import { formatNumber, formatP, percent } from './format.ts';
import { type Counted, excessTest, type ExcessTest, rateCaught, shownBelow } from './sequential.ts';
import type { CheckSpec, Cohort, Evidence, QueryResult, VerdictStatus } from './types.ts';

export interface JudgeContext {
  /** Significance level of each stage's gate (1 − confidence), corrected inside the gate for its looks. */
  alpha: number;
  /** The stage's last planned look: the exact final test applies and the gate's power is reported. */
  final: boolean;
  /**
   * The stage still sends stable part of the live traffic (a weight strictly between 0 and 100).
   * Then a stable with no requests is not "nothing to compare" but a sign that the comparison looks
   * at the wrong workload: the relative part is no-data (its policy applies), never a silent pass.
   */
  stableTrafficExpected?: boolean;
  /** A look between the recorded ones: only the always-valid tests may decide, point comparisons are left for later. */
  quick?: boolean;
  /** Strict mode: at the final look, a counted absolute part passes only when the data show the canary within its limit. */
  strict?: boolean;
}

/** A gate that cannot catch this multiple of the allowed rate (90 % of the time) is reported as underpowered. */
export const REAL_PROBLEM_FACTOR = 5;

/** A judged part, or one the check asks for that cannot apply here (`skip`, explained in the reason). */
export type Part =
  | { status: 'pass' | 'fail' | 'unproven'; threshold: string; reason: string; evidence?: PartEvidence }
  | { status: 'skip'; reason: string };

interface PartEvidence {
  outcome: string;
  test?: ExcessTest;
  caughtRate?: number;
  underpowered?: boolean;
}

export interface Measured {
  status: VerdictStatus;
  reason: string;
  threshold: string;
  value?: number;
  stableValue?: number;
  requests?: number;
  evidence?: Evidence;
}

/** `x` formatted with enough digits that it still compares with `limit` as x does (98.999 is not shown as 99 against 99). */
export function formatBeside(x: number, limit: number): string {
  const shown = formatNumber(x);
  if (!Number.isFinite(x) || Math.sign(Number(shown) - limit) === Math.sign(x - limit)) return shown;
  return String(Number(x.toPrecision(15)));
}

export function resultOf(results: QueryResult[], role: string): number | undefined {
  return results.find((r) => r.role === role)?.value;
}

export function count(x: number | undefined): number {
  return x === undefined ? 0 : Math.max(0, Math.round(x));
}

/** A count that is not a count (NaN, ±Inf, negative), named as what it is. Prometheus' increase() may
 * extrapolate a hair below zero, so only clearly negative numbers count as wrong. */
export function badCount(results: QueryResult[], roles: readonly string[]): Measured | undefined {
  for (const role of roles) {
    const value = resultOf(results, role);
    if (value === undefined || (Number.isFinite(value) && value > -0.5)) continue;
    const what = Number.isNaN(value) ? 'NaN (not a number)' : Number.isFinite(value) ? `negative (${formatNumber(value)})` : String(value);
    return {
      status: 'fail',
      threshold: 'counts that are numbers',
      reason: `${role} is ${what} in Prometheus' answer; a count cannot be, so the canary cannot be judged (never a pass)`,
    };
  }
  return undefined;
}

export function wantsAbsolute(check: CheckSpec): boolean {
  return check.compare === 'absolute' || check.compare === 'both';
}

export function wantsRelative(check: CheckSpec): boolean {
  return check.compare === 'relative' || check.compare === 'both';
}

export function relativeSkip(cohort: Cohort): Part | undefined {
  return cohort === 'shift' ? undefined : { status: 'skip', reason: `not compared with stable in a ${cohort} stage (weight stages only)` };
}

function statusOf(parts: Part[]): VerdictStatus {
  if (parts.some((p) => p.status === 'fail')) return 'fail';
  if (parts.some((p) => p.status === 'unproven')) return 'unproven';
  return 'pass';
}

function evidenceOf(facts: string, parts: Part[], counts: Pick<Evidence, 'canary' | 'stable'>): Evidence | undefined {
  const judged = parts.flatMap((p) => (p.status !== 'skip' && p.evidence ? [p.evidence] : []));
  if (judged.length === 0) return undefined;
  // The part that decided, or the one that came closest.
  const lead = judged.reduce((a, b) => ((b.test?.p ?? 1) / (b.test?.level ?? 1) < (a.test?.p ?? 1) / (a.test?.level ?? 1) ? b : a));
  const evidence: Evidence = { summary: `${facts} — ${judged.map((e) => e.outcome).join('; ')}`, ...counts };
  if (lead.test) {
    evidence.p = lead.test.p;
    evidence.level = lead.test.level;
  }
  const power = judged.find((e) => e.caughtRate !== undefined);
  if (power?.caughtRate !== undefined) {
    evidence.caughtRate = power.caughtRate;
    evidence.underpowered = power.underpowered === true;
  }
  return evidence;
}

export function combine(requested: Array<Part | undefined>, base: Omit<Measured, 'status' | 'reason' | 'threshold'>, facts: string, counts: Pick<Evidence, 'canary' | 'stable'> = {}): Measured {
  const parts = requested.filter((p) => p !== undefined);
  const judged = parts.filter((p) => p.status !== 'skip');
  const skipped = parts.filter((p) => p.status === 'skip').map((p) => p.reason);
  if (judged.length === 0) {
    return { ...base, status: 'pass', threshold: 'none applicable', reason: [facts, ...skipped].join('; ') };
  }
  const measured: Measured = {
    ...base,
    status: statusOf(judged),
    threshold: judged.map((p) => p.threshold).join(' and '),
    reason: [...judged.map((p) => p.reason), ...skipped].join('; '),
  };
  const evidence = evidenceOf(facts, judged, counts);
  if (evidence) measured.evidence = evidence;
  return measured;
}

export function tooFewRequests(requests: number, check: CheckSpec): Measured | undefined {
  const needed = Math.max(1, check.minRequests);
  if (requests >= needed) return undefined;
  return {
    status: 'no-data',
    requests,
    threshold: `>= ${needed} canary requests`,
    reason: `canary had ${requests} requests in the window, fewer than the ${needed} needed to judge`,
  };
}

/**
 * A counted absolute part: `counted.hits` of `counted.trials` against "rate <= limit". `what` names
 * the hits ("error rate", "share slower than 300 ms").
 */
export function countedAbsolute(counted: Counted, limit: number, what: string, threshold: string, alpha: number, ctx: JudgeContext): Part {
  const test = excessTest(counted, limit, alpha, ctx.final);
  const observed = counted.trials > 0 ? counted.hits / counted.trials : 0;
  const said = `${what} ${percent(observed)} (${counted.hits}/${counted.trials})`;
  if (test.worse) {
    return {
      status: 'fail',
      threshold,
      reason: `${said} is above ${percent(limit)}: p = ${formatP(test.p)} <= ${formatP(test.level)}`,
      evidence: { outcome: `above the ${percent(limit)} limit with p = ${formatP(test.p)}`, test },
    };
  }
  const evidence: PartEvidence = { outcome: `not shown above ${percent(limit)} (p = ${formatP(test.p)})`, test };
  let reason = `${said} not shown above ${percent(limit)} (p = ${formatP(test.p)} > ${formatP(test.level)})`;
  if (ctx.final) {
    const caught = rateCaught(counted.trials, limit, alpha);
    evidence.caughtRate = caught;
    evidence.underpowered = limit > 0 && caught > Math.min(1, REAL_PROBLEM_FACTOR * limit);
    if (evidence.underpowered) {
      const note = `too little traffic: ${what} up to ${percent(caught)} would pass unnoticed`;
      evidence.outcome += `; ${note}`;
      reason += `; ${note} (only higher rates are caught 90% of the time)`;
    }
    if (ctx.strict) {
      const good = shownBelow(counted, limit, alpha);
      if (!good.shown) {
        return { status: 'unproven', threshold, reason: `${reason}; strict: not yet shown below ${percent(limit)} (p = ${formatP(good.p)})`, evidence: { ...evidence, outcome: `${evidence.outcome}; not yet shown below it (strict)` } };
      }
    }
  }
  return { status: 'pass', threshold, reason, evidence };
}

/** Alpha of each judged part: the gate's alpha split evenly, so "both" stays at alpha in all. */
export function partAlpha(ctx: JudgeContext, parts: number): number {
  return ctx.alpha / Math.max(1, parts);
}

/** No stable traffic where the stage sends stable some: the relative part cannot be judged. */
export function missingStable(what: string, requests: number): Measured {
  return {
    status: 'no-data',
    requests,
    threshold: 'stable traffic to compare with',
    reason: `${what} in the window although this stage sends stable part of the traffic; check stable.workload and stable.labels`,
  };
}
