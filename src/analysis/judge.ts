// One evaluation of one check: numbers in, verdict out, with the words that explain it.
// Thresholds: absolute (against the spec's min/max), relative (canary against stable, weight stages
// only), or both (each applicable part must pass). Too little traffic is `no-data`; what that means
// for the stage is decide.ts's business.
//
// Counted checks (success rate; latency against an absolute max) are innocent until shown guilty:
// they fail only when the counts since the stage started show, with sequential.ts's test at the
// analysis' alpha (split evenly over the parts judged), that the canary is worse than its limit.
// A point value (a custom query, the relative latency ratio) is compared as it is: there is no
// count behind it to test.
import { ROLE } from './queries.ts';
import { type Counted, excessTest, type ExcessTest, rateCaught, shownBelow } from './sequential.ts';
import type { Buckets, CheckSpec, CheckVerdict, Cohort, Evidence, QueryResult, VerdictStatus } from './types.ts';

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

/** The default relative latency limit: canary p99 at most 1.5 × stable's. */
export const DEFAULT_MAX_RATIO = 1.5;
/** "Worse than stable" for error rates: above this multiple of stable's error rate (a margin, so that a
 * canary exactly as good as stable is not failed at the test's full level at every gate). */
export const ERROR_RATIO_MARGIN = 1.5;
/** A gate that cannot catch this multiple of the allowed rate (90 % of the time) is reported as underpowered. */
export const REAL_PROBLEM_FACTOR = 5;

/** A judged part, or one the check asks for that cannot apply here (`skip`, explained in the reason). */
type Part =
  | { status: 'pass' | 'fail' | 'unproven'; threshold: string; reason: string; evidence?: PartEvidence }
  | { status: 'skip'; reason: string };

interface PartEvidence {
  outcome: string;
  test?: ExcessTest;
  caughtRate?: number;
  underpowered?: boolean;
}

interface Measured {
  status: VerdictStatus;
  reason: string;
  threshold: string;
  value?: number;
  stableValue?: number;
  requests?: number;
  evidence?: Evidence;
}

/** Readable numbers: at most two decimals, or three significant digits below 1 (p-values, levels). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) < 1) return String(Number(x.toPrecision(3)));
  return String(Math.round(x * 100) / 100);
}

/** A p-value in two significant digits: 0.031, 5e-10. */
export function formatP(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-4) return p.toExponential(0);
  return String(Number(p.toPrecision(2)));
}

/** A rate (0..1) as a percentage with up to three significant digits. */
function percent(rate: number): string {
  return `${Number((100 * rate).toPrecision(3))}%`;
}

/** `x` formatted with enough digits that it still compares with `limit` as x does (98.999 is not shown as 99 against 99). */
function formatBeside(x: number, limit: number): string {
  const shown = formatNumber(x);
  if (!Number.isFinite(x) || Math.sign(Number(shown) - limit) === Math.sign(x - limit)) return shown;
  return String(Number(x.toPrecision(15)));
}

function resultOf(results: QueryResult[], role: string): number | undefined {
  return results.find((r) => r.role === role)?.value;
}

function count(x: number | undefined): number {
  return x === undefined ? 0 : Math.max(0, Math.round(x));
}

/** A count that is not a count (NaN, ±Inf, negative), named as what it is. Prometheus' increase() may
 * extrapolate a hair below zero, so only clearly negative numbers count as wrong. */
function badCount(results: QueryResult[], roles: readonly string[]): Measured | undefined {
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

function wantsAbsolute(check: CheckSpec): boolean {
  return check.compare === 'absolute' || check.compare === 'both';
}

function wantsRelative(check: CheckSpec): boolean {
  return check.compare === 'relative' || check.compare === 'both';
}

function relativeSkip(cohort: Cohort): Part | undefined {
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

function combine(requested: Array<Part | undefined>, base: Omit<Measured, 'status' | 'reason' | 'threshold'>, facts: string, counts: Pick<Evidence, 'canary' | 'stable'> = {}): Measured {
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

function tooFewRequests(requests: number, check: CheckSpec): Measured | undefined {
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
function countedAbsolute(counted: Counted, limit: number, what: string, threshold: string, alpha: number, ctx: JudgeContext): Part {
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

function successAbsolute(check: CheckSpec, canary: Counted, alpha: number, ctx: JudgeContext): Part | undefined {
  if (!wantsAbsolute(check) || check.min === undefined) return undefined;
  const limit = Math.min(1, Math.max(0, 1 - check.min / 100));
  return countedAbsolute(canary, limit, 'error rate', `success rate >= ${formatNumber(check.min)}%`, alpha, ctx);
}

function relativeApplies(check: CheckSpec, cohort: Cohort, stableRequests: number): boolean {
  return wantsRelative(check) && cohort === 'shift' && stableRequests > 0;
}

/** Canary vs stable: given all errors, the canary's share of them is Binomial under "canary's error
 * rate = margin × stable's"; more than that share shows the canary worse. */
function successRelative(check: CheckSpec, cohort: Cohort, canary: Counted, stable: Counted, alpha: number, ctx: JudgeContext): Part | undefined {
  if (!wantsRelative(check)) return undefined;
  const skip = relativeSkip(cohort);
  if (skip) return skip;
  if (stable.trials === 0) return { status: 'skip', reason: 'not compared with stable: stable served no requests in the window' };
  const share = (ERROR_RATIO_MARGIN * canary.trials) / (ERROR_RATIO_MARGIN * canary.trials + stable.trials);
  const test = excessTest({ hits: canary.hits, trials: canary.hits + stable.hits }, share, alpha, ctx.final);
  const threshold = `canary error rate <= ${formatNumber(ERROR_RATIO_MARGIN)} × stable's`;
  const said = `canary ${canary.hits}/${canary.trials} errors vs stable ${stable.hits}/${stable.trials}`;
  return test.worse
    ? { status: 'fail', threshold, reason: `${said}: worse than stable, p = ${formatP(test.p)} <= ${formatP(test.level)}`, evidence: { outcome: `worse than stable with p = ${formatP(test.p)}`, test } }
    : { status: 'pass', threshold, reason: `${said}: not shown worse than stable (p = ${formatP(test.p)} > ${formatP(test.level)})`, evidence: { outcome: `not shown worse than stable (p = ${formatP(test.p)})`, test } };
}

/** Alpha of each judged part: the gate's alpha split evenly, so "both" stays at alpha in all. */
function partAlpha(ctx: JudgeContext, parts: number): number {
  return ctx.alpha / Math.max(1, parts);
}

function successPercent(c: Counted): number {
  return (100 * (c.trials - c.hits)) / c.trials;
}

const SUCCESS_COUNT_ROLES = [ROLE.canaryRequests, ROLE.canaryClientFailures, ROLE.canaryErrors, ROLE.stableRequests, ROLE.stableErrors];

function judgeSuccessRate(check: CheckSpec, cohort: Cohort, results: QueryResult[], ctx: JudgeContext): Measured {
  const bad = badCount(results, SUCCESS_COUNT_ROLES);
  if (bad) return bad;
  const served = resultOf(results, ROLE.canaryRequests);
  const unreached = count(resultOf(results, ROLE.canaryClientFailures));
  // Requests that never reached the canary (UH/NC/UF, source side) count as requests and as errors.
  const requests = count(served) + unreached;
  const few = tooFewRequests(requests, check);
  if (few) return few;
  const canary: Counted = { trials: requests, hits: Math.min(requests, count(resultOf(results, ROLE.canaryErrors)) + unreached) };
  const stableTrials = count(resultOf(results, ROLE.stableRequests));
  const stable: Counted = { trials: stableTrials, hits: Math.min(stableTrials, count(resultOf(results, ROLE.stableErrors))) };
  const base = {
    value: successPercent(canary),
    stableValue: stable.trials > 0 ? successPercent(stable) : undefined,
    requests,
  };
  if (wantsRelative(check) && cohort === 'shift' && ctx.stableTrafficExpected && stable.trials === 0) {
    return missingStable('stable served no requests', requests);
  }
  const absolute = wantsAbsolute(check) && check.min !== undefined;
  const alpha = partAlpha(ctx, Number(absolute) + Number(relativeApplies(check, cohort, stable.trials)));
  const compared = stable.trials > 0 && relativeApplies(check, cohort, stable.trials);
  const facts = `canary errors ${canary.hits}/${canary.trials}${compared ? ` vs stable ${stable.hits}/${stable.trials}` : ''}`;
  const counts = compared ? { canary, stable } : { canary };
  return combine([successAbsolute(check, canary, alpha, ctx), successRelative(check, cohort, canary, stable, alpha, ctx)], base, facts, counts);
}

/** No stable traffic where the stage sends stable some: the relative part cannot be judged. */
function missingStable(what: string, requests: number): Measured {
  return {
    status: 'no-data',
    requests,
    threshold: 'stable traffic to compare with',
    reason: `${what} in the window although this stage sends stable part of the traffic; check stable.workload and stable.labels`,
  };
}

/** The 99th percentile from cumulative buckets, interpolated within its bucket as histogram_quantile does. */
export function quantileOf(buckets: Buckets, q: number): number | undefined {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let previous: [number, number] = [0, 0];
  for (const bucket of buckets) {
    if (bucket[1] >= rank) {
      if (bucket[0] === Infinity) return previous[0];
      const inBucket = bucket[1] - previous[1];
      return inBucket > 0 ? previous[0] + ((bucket[0] - previous[0]) * (rank - previous[1])) / inBucket : bucket[0];
    }
    previous = bucket;
  }
  return previous[0];
}

/** Requests surely slower than `max`: above the smallest bucket bound at or over `max`. Sound (a lower
 * bound of the true count); exact when `max` is a bucket bound. */
export function surelySlower(buckets: Buckets, max: number): { slower: number; bound: number } {
  const total = buckets.at(-1)?.[1] ?? 0;
  const at = buckets.find(([le]) => le >= max);
  if (!at || at[0] === Infinity) return { slower: 0, bound: Infinity };
  return { slower: Math.max(0, Math.round(total - at[1])), bound: at[0] };
}

function latencyAbsolute(check: CheckSpec, buckets: Buckets, requests: number, alpha: number, ctx: JudgeContext): Part | undefined {
  if (!wantsAbsolute(check) || check.max === undefined) return undefined;
  const { slower, bound } = surelySlower(buckets, check.max);
  const threshold = `p99 <= ${formatNumber(check.max)} ms`;
  const what = bound === check.max ? `share slower than ${formatNumber(check.max)} ms` : `share slower than ${formatNumber(bound)} ms (the bucket bound at or above ${formatNumber(check.max)} ms)`;
  return countedAbsolute({ hits: slower, trials: requests }, 0.01, what, threshold, alpha, ctx);
}

function latencyRelative(check: CheckSpec, cohort: Cohort, p99: number, stableP99: number | undefined, ctx: JudgeContext): Part | undefined {
  if (!wantsRelative(check)) return undefined;
  const skip = relativeSkip(cohort);
  if (skip) return skip;
  if (stableP99 === undefined) return { status: 'skip', reason: 'not compared with stable: no stable latency in the window' };
  if (ctx.quick) return { status: 'skip', reason: 'the p99 ratio is compared at the recorded looks only' };
  const ratio = check.maxRatio ?? DEFAULT_MAX_RATIO;
  const limit = ratio * stableP99;
  const ok = p99 <= limit;
  return {
    status: ok ? 'pass' : 'fail',
    threshold: `p99 <= ${formatNumber(ratio)} × stable p99`,
    reason: `canary p99 ${formatBeside(p99, limit)} ms vs stable ${formatNumber(stableP99)} ms: ${ok ? '<=' : '>'} ${formatNumber(ratio)} × stable = ${formatNumber(limit)} ms (a point comparison, not a test)`,
  };
}

function bucketsOf(results: QueryResult[], role: string): Buckets | undefined {
  return results.find((r) => r.role === role)?.buckets;
}

function judgeLatency(check: CheckSpec, cohort: Cohort, results: QueryResult[], ctx: JudgeContext): Measured {
  const bad = badCount(results, [ROLE.canaryRequests]);
  if (bad) return bad;
  const requests = count(resultOf(results, ROLE.canaryRequests));
  const few = tooFewRequests(requests, check);
  if (few) return few;
  const buckets = bucketsOf(results, ROLE.canaryLatency) ?? [];
  const p99 = quantileOf(buckets, 0.99);
  if (p99 === undefined) {
    return { status: 'no-data', requests, threshold: 'a canary latency histogram', reason: `no canary latency histogram in the window (${requests} requests)` };
  }
  const stableBuckets = bucketsOf(results, ROLE.stableLatency);
  const stableP99 = stableBuckets ? quantileOf(stableBuckets, 0.99) : undefined;
  if (wantsRelative(check) && cohort === 'shift' && ctx.stableTrafficExpected && stableP99 === undefined) {
    return missingStable('no stable latency', requests);
  }
  const base = { value: p99, stableValue: stableP99, requests };
  const absolute = latencyAbsolute(check, buckets, requests, ctx.alpha, ctx);
  const counts = absolute?.status !== 'skip' && check.max !== undefined ? { canary: { hits: surelySlower(buckets, check.max).slower, trials: requests } } : {};
  return combine([absolute, latencyRelative(check, cohort, p99, stableP99, ctx)], base, `canary p99 ${formatNumber(p99)} ms`, counts);
}

function customBounds(check: CheckSpec, value: number): Part[] {
  const parts: Part[] = [];
  if (check.min !== undefined) {
    const ok = value >= check.min;
    parts.push({ status: ok ? 'pass' : 'fail', threshold: `>= ${formatNumber(check.min)}`, reason: `${formatBeside(value, check.min)} ${ok ? '>=' : '<'} ${formatNumber(check.min)}` });
  }
  if (check.max !== undefined) {
    const ok = value <= check.max;
    parts.push({ status: ok ? 'pass' : 'fail', threshold: `<= ${formatNumber(check.max)}`, reason: `${formatBeside(value, check.max)} ${ok ? '<=' : '>'} ${formatNumber(check.max)}` });
  }
  return parts;
}

/** NaN and ±Inf are never within a threshold: -Inf is not "<= max" in any useful sense, nor +Inf ">= min". */
function nonFiniteValue(check: CheckSpec, value: number, requests: number | undefined): Measured {
  const bounds = [check.min !== undefined ? `>= ${formatNumber(check.min)}` : undefined, check.max !== undefined ? `<= ${formatNumber(check.max)}` : undefined].filter(Boolean).join(' and ');
  const what = Number.isNaN(value) ? 'NaN (not a number, e.g. 0/0)' : String(value);
  return { status: 'fail', value, requests, threshold: bounds || 'a finite value', reason: `the query returned ${what}; only a finite number can be judged (never a pass)` };
}

function judgeCustom(check: CheckSpec, results: QueryResult[]): Measured {
  const bad = badCount(results, [ROLE.canaryRequests]);
  if (bad) return bad;
  const requestResult = results.find((r) => r.role === ROLE.canaryRequests);
  const requests = requestResult ? count(requestResult.value) : undefined;
  const few = requests === undefined ? undefined : tooFewRequests(requests, check);
  if (few) return few;
  const value = resultOf(results, ROLE.value);
  if (value === undefined) return { status: 'no-data', requests, threshold: 'a value', reason: 'the query returned no data' };
  if (!Number.isFinite(value)) return nonFiniteValue(check, value, requests);
  return combine(customBounds(check, value), { value, requests }, `value ${formatNumber(value)}, no threshold set`);
}

/** Judges one evaluation of `check` from the results of its planned queries. */
export function judgeCheck(check: CheckSpec, cohort: Cohort, results: QueryResult[], ctx: JudgeContext): CheckVerdict {
  const measured =
    check.type === 'success-rate'
      ? judgeSuccessRate(check, cohort, results, ctx)
      : check.type === 'latency-p99'
        ? judgeLatency(check, cohort, results, ctx)
        : judgeCustom(check, results);
  const verdict: CheckVerdict = { check: check.name, status: measured.status, threshold: measured.threshold, reason: measured.reason, queries: results };
  if (measured.value !== undefined) verdict.value = measured.value;
  if (measured.stableValue !== undefined) verdict.stableValue = measured.stableValue;
  if (measured.requests !== undefined) verdict.requests = measured.requests;
  if (measured.evidence !== undefined) verdict.evidence = measured.evidence;
  return verdict;
}
