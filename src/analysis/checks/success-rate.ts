// `success-rate`: the share of the canary's requests answered without a 5xx (requests that never
// reached it count as failures), against a lowest percentage and/or stable's error rate.
import { type Counted, excessTest } from '../sequential.ts';
import { formatNumber, formatP } from '../format.ts';
import { combine, count, countedAbsolute, missingStable, partAlpha, relativeSkip, resultOf, tooFewRequests, wantsAbsolute, wantsRelative, badCount, type JudgeContext, type Measured, type Part } from '../judge.ts';
import { comparesWithStable, grouped, ROLE, trafficQuery } from '../queries.ts';
import type { CheckSpec, Cohort, PlannedQuery, QueryResult, QueryVars } from '../types.ts';
import type { CheckType } from './check-type.ts';

/** "Worse than stable" for error rates: above this multiple of stable's error rate (a margin, so that a
 * canary exactly as good as stable is not failed at the test's full level at every gate). */
export const ERROR_RATIO_MARGIN = 1.5;

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

function successRateQueries(check: CheckSpec, cohort: Cohort, vars: QueryVars): PlannedQuery[] {
  const withStable = comparesWithStable(check, cohort);
  const mirrored = cohort === 'mirror';
  return [{ role: ROLE.traffic, promql: trafficQuery(vars, withStable, mirrored), grouped: grouped('traffic', vars, withStable, mirrored) }];
}

export const successRate: CheckType = {
  name: 'success-rate',
  schema: { description: '`success-rate`: percent of non-5xx responses, `min` is the lowest allowed.' },
  counted: true,
  unit: ' %',
  range: { min: 0, max: 100 },
  specRules(check, rules) {
    rules.refuse('max', '`max` does not apply to success-rate (a percentage, higher is better); use `min`');
    rules.refuse('maxRatio', '`maxRatio` applies to latency-p99 only; relative success-rate uses a binomial test');
    if (rules.absolute) rules.need('min', 'the lowest acceptable success rate in percent, for compare absolute or both');
    if (typeof check.min === 'number' && (check.min < 0 || check.min > 100)) rules.problem('min', `expected a percentage from 0 to 100, got ${check.min}`);
    rules.refuse('query', '`query` applies to custom checks only');
  },
  queries: successRateQueries,
  judge: judgeSuccessRate,
};
