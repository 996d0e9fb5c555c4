// `latency-p99`: the canary's 99th percentile latency from Istio's histogram, against a highest
// value in ms (a counted test on the share slower than it) and/or a factor of stable's p99.
import { formatNumber } from '../format.ts';
import { combine, countedAbsolute, formatBeside, missingStable, relativeSkip, resultOf, count, tooFewRequests, wantsAbsolute, wantsRelative, badCount, type JudgeContext, type Measured, type Part } from '../judge.ts';
import { comparesWithStable, grouped, latencyQuery, ROLE } from '../queries.ts';
import type { Buckets, CheckSpec, Cohort, PlannedQuery, QueryResult, QueryVars } from '../types.ts';
import type { CheckType } from './check-type.ts';

/** The default relative latency limit: canary p99 at most 1.5 × stable's. */
export const DEFAULT_MAX_RATIO = 1.5;

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

function latencyQueries(check: CheckSpec, cohort: Cohort, vars: QueryVars): PlannedQuery[] {
  const withStable = comparesWithStable(check, cohort);
  const mirrored = cohort === 'mirror';
  return [{ role: ROLE.latency, promql: latencyQuery(vars, withStable, mirrored), grouped: grouped('latency', vars, withStable, mirrored) }];
}

export const latencyP99: CheckType = {
  name: 'latency-p99',
  schema: {
    description: '`latency-p99`: 99th percentile in ms, `max` is the highest allowed.',
    properties: {
      maxRatio: {
        description: "latency-p99, relative: the canary's p99 may be at most this factor of stable's. Default 1.5.",
        type: 'number',
        exclusiveMinimum: 0,
      },
    },
  },
  counted: true,
  unit: ' ms',
  specRules(check, rules) {
    rules.refuse('min', '`min` does not apply to latency-p99 (lower is better); use `max`');
    if (rules.absolute) rules.need('max', 'the highest acceptable p99 latency in ms, for compare absolute or both');
    if (!rules.relative) rules.refuse('maxRatio', '`maxRatio` needs compare relative or both');
    if (typeof check.max === 'number' && check.max <= 0) rules.problem('max', `expected a latency in ms greater than 0, got ${check.max}`);
    rules.refuse('query', '`query` applies to custom checks only');
  },
  withDefaults(check) {
    const relative = check.compare !== 'absolute';
    return check.maxRatio === undefined && relative ? { ...check, maxRatio: DEFAULT_MAX_RATIO } : check;
  },
  queries: latencyQueries,
  judge: judgeLatency,
};
