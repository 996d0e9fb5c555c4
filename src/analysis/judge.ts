// One evaluation of one check: numbers in, verdict out, with the words that explain it.
// Thresholds: absolute (against the spec's min/max), relative (canary against stable, weight stages
// only), or both (each applicable part must pass). Too little traffic is `no-data`; what that means
// for the stage is decide.ts's business.
import { ROLE } from './queries.ts';
import { canaryWorsePValue, wilsonUpperBound, type ErrorCounts } from './stats.ts';
import type { CheckSpec, CheckVerdict, Cohort, QueryResult, VerdictStatus } from './types.ts';

export interface JudgeContext {
  /** Significance level of the canary-vs-stable test before correction. */
  alpha: number;
  /** Number of evaluations that test the same hypothesis (Bonferroni: each uses alpha / looks). */
  looks: number;
  /**
   * The stage still sends stable part of the live traffic (a weight strictly between 0 and 100).
   * Then a stable with no requests is not "nothing to compare" but a sign that the comparison looks
   * at the wrong workload: the relative part is no-data (its policy applies), never a silent pass.
   */
  stableTrafficExpected?: boolean;
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

/** The default relative latency limit: canary p99 at most 1.5 × stable's. */
export const DEFAULT_MAX_RATIO = 1.5;

/** A judged part, or one the check asks for that cannot apply here (`skip`, explained in the reason). */
type Part = { status: 'pass' | 'fail'; threshold: string; reason: string } | { status: 'skip'; reason: string };

interface Measured {
  status: VerdictStatus;
  reason: string;
  threshold: string;
  value?: number;
  stableValue?: number;
  requests?: number;
}

/** Readable numbers: at most two decimals, or three significant digits below 1 (p-values, levels). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) < 1) return String(Number(x.toPrecision(3)));
  return String(Math.round(x * 100) / 100);
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

function wantsAbsolute(check: CheckSpec): boolean {
  return check.compare === 'absolute' || check.compare === 'both';
}

function wantsRelative(check: CheckSpec): boolean {
  return check.compare === 'relative' || check.compare === 'both';
}

function relativeSkip(cohort: Cohort): Part | undefined {
  return cohort === 'shift' ? undefined : { status: 'skip', reason: `not compared with stable in a ${cohort} stage (weight stages only)` };
}

function combine(requested: Array<Part | undefined>, base: Omit<Measured, 'status' | 'reason' | 'threshold'>, facts: string): Measured {
  const parts = requested.filter((p) => p !== undefined);
  const judged = parts.filter((p) => p.status !== 'skip');
  const skipped = parts.filter((p) => p.status === 'skip').map((p) => p.reason);
  if (judged.length === 0) {
    return { ...base, status: 'pass', threshold: 'none applicable', reason: [facts, ...skipped].join('; ') };
  }
  const failed = judged.some((p) => p.status === 'fail');
  return {
    ...base,
    status: failed ? 'fail' : 'pass',
    threshold: judged.map((p) => p.threshold).join(' and '),
    reason: [...judged.map((p) => p.reason), ...skipped].join('; '),
  };
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

function successPercent(c: ErrorCounts): number {
  return (100 * (c.requests - c.errors)) / c.requests;
}

function successAbsolute(check: CheckSpec, canary: ErrorCounts): Part | undefined {
  if (!wantsAbsolute(check) || check.min === undefined) return undefined;
  const rate = successPercent(canary);
  const worstErrorRate = 100 * wilsonUpperBound(canary.errors, canary.requests);
  return {
    status: rate >= check.min ? 'pass' : 'fail',
    threshold: `success rate >= ${formatNumber(check.min)}%`,
    reason: `canary ${formatBeside(rate, check.min)}% success (${canary.errors}/${canary.requests} errors, error rate <= ${formatNumber(worstErrorRate)}% at 95%) ${rate >= check.min ? '>=' : '<'} ${formatNumber(check.min)}%`,
  };
}

function successRelative(check: CheckSpec, cohort: Cohort, canary: ErrorCounts, stable: ErrorCounts, ctx: JudgeContext): Part | undefined {
  if (!wantsRelative(check)) return undefined;
  const skip = relativeSkip(cohort);
  if (skip) return skip;
  if (stable.requests === 0) return { status: 'skip', reason: 'not compared with stable: stable served no requests in the window' };
  const level = ctx.alpha / Math.max(1, ctx.looks);
  const p = canaryWorsePValue(stable, canary);
  const worse = p < level;
  return {
    status: worse ? 'fail' : 'pass',
    threshold: `binomial p >= ${formatNumber(level)} (canary errors no worse than stable)`,
    reason: `canary ${canary.errors}/${canary.requests} errors vs stable ${stable.errors}/${stable.requests}, p=${formatBeside(p, level)} ${worse ? '<' : '>='} ${formatNumber(level)}`,
  };
}

function judgeSuccessRate(check: CheckSpec, cohort: Cohort, results: QueryResult[], ctx: JudgeContext): Measured {
  const served = resultOf(results, ROLE.canaryRequests);
  const unreached = count(resultOf(results, ROLE.canaryClientFailures));
  // Requests that never reached the canary (UH/NC/UF, source side) count as requests and as errors.
  const requests = count(served) + unreached;
  const few = tooFewRequests(requests, check);
  if (few) return few;
  const canary = { requests, errors: Math.min(requests, count(resultOf(results, ROLE.canaryErrors)) + unreached) };
  const stable = { requests: count(resultOf(results, ROLE.stableRequests)), errors: count(resultOf(results, ROLE.stableErrors)) };
  stable.errors = Math.min(stable.errors, stable.requests);
  const base = {
    value: successPercent(canary),
    stableValue: stable.requests > 0 ? successPercent(stable) : undefined,
    requests,
  };
  if (wantsRelative(check) && cohort === 'shift' && ctx.stableTrafficExpected && stable.requests === 0) {
    return missingStable('stable served no requests', requests);
  }
  const facts = `canary ${formatNumber(base.value)}% success (${canary.errors}/${requests} errors)`;
  return combine([successAbsolute(check, canary), successRelative(check, cohort, canary, stable, ctx)], base, facts);
}

function latencyAbsolute(check: CheckSpec, p99: number): Part | undefined {
  if (!wantsAbsolute(check) || check.max === undefined) return undefined;
  const ok = p99 <= check.max;
  return {
    status: ok ? 'pass' : 'fail',
    threshold: `p99 <= ${formatNumber(check.max)} ms`,
    reason: `canary p99 ${formatBeside(p99, check.max)} ms ${ok ? '<=' : '>'} ${formatNumber(check.max)} ms`,
  };
}

function latencyRelative(check: CheckSpec, cohort: Cohort, p99: number, stableP99: number | undefined): Part | undefined {
  if (!wantsRelative(check)) return undefined;
  const skip = relativeSkip(cohort);
  if (skip) return skip;
  if (stableP99 === undefined) return { status: 'skip', reason: 'not compared with stable: no stable latency in the window' };
  const ratio = check.maxRatio ?? DEFAULT_MAX_RATIO;
  const limit = ratio * stableP99;
  const ok = p99 <= limit;
  return {
    status: ok ? 'pass' : 'fail',
    threshold: `p99 <= ${formatNumber(ratio)} × stable p99`,
    reason: `canary p99 ${formatBeside(p99, limit)} ms vs stable ${formatNumber(stableP99)} ms: ${ok ? '<=' : '>'} ${formatNumber(ratio)} × stable = ${formatNumber(limit)} ms`,
  };
}

function judgeLatency(check: CheckSpec, cohort: Cohort, results: QueryResult[], ctx: JudgeContext): Measured {
  const requests = count(resultOf(results, ROLE.canaryRequests));
  const few = tooFewRequests(requests, check);
  if (few) return few;
  const p99 = resultOf(results, ROLE.value);
  if (p99 === undefined) {
    return { status: 'no-data', requests, threshold: 'a canary latency histogram', reason: `no canary latency histogram in the window (${requests} requests)` };
  }
  const stableP99 = resultOf(results, ROLE.stableValue);
  if (wantsRelative(check) && cohort === 'shift' && ctx.stableTrafficExpected && stableP99 === undefined) {
    return missingStable('no stable latency', requests);
  }
  const base = { value: p99, stableValue: stableP99, requests };
  return combine([latencyAbsolute(check, p99), latencyRelative(check, cohort, p99, stableP99)], base, `canary p99 ${formatNumber(p99)} ms`);
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

function judgeCustom(check: CheckSpec, results: QueryResult[]): Measured {
  const requestResult = results.find((r) => r.role === ROLE.canaryRequests);
  const requests = requestResult ? count(requestResult.value) : undefined;
  const few = requests === undefined ? undefined : tooFewRequests(requests, check);
  if (few) return few;
  const value = resultOf(results, ROLE.value);
  if (value === undefined) return { status: 'no-data', requests, threshold: 'a value', reason: 'the query returned no data' };
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
  return verdict;
}
