// One evaluation of every check of a stage: plan the queries, run them through the metrics port,
// judge. A failing metrics backend is a failed check (never a pass, never "no data"), because a
// canary that cannot be observed must not advance.
import { MetricsError, describeError } from '../errors.ts';
import type { MetricsPort } from './metrics-source.ts';
import { splitGrouped } from './grouped.ts';
import type { JudgeContext } from './judge.ts';
import { checkType, judgeCheck, planCheckQueries } from './checks/registry.ts';
import type { AnalysisSpec, CheckSpec, CheckVerdict, Cohort, PlannedQuery, QueryResult, QueryVars } from './types.ts';

function backendFailure(check: CheckSpec, query: PlannedQuery, error: MetricsError, done: QueryResult[]): CheckVerdict {
  return {
    check: check.name,
    status: 'fail',
    threshold: 'a working metrics backend',
    reason: `metrics backend error: ${describeError(error)}`,
    queries: [...done, { role: query.role, promql: query.promql, value: undefined }],
  };
}

async function evaluateCheck(check: CheckSpec, planned: PlannedQuery[], metrics: MetricsPort): Promise<QueryResult[] | CheckVerdict> {
  const results: QueryResult[] = [];
  for (const query of planned) {
    try {
      if (query.grouped) results.push(...splitGrouped(query, await metrics.vector(query.promql)));
      else results.push({ role: query.role, promql: query.promql, value: await metrics.query(query.promql) });
    } catch (error) {
      if (error instanceof MetricsError) return backendFailure(check, query, error, results);
      throw error;
    }
  }
  return results;
}

/** Checks that a quick look (between the recorded ones) can decide: those with counts behind them. */
export function countedCheck(check: CheckSpec): boolean {
  return checkType(check).counted;
}

/** Evaluates the checks of `analysis` once (counted checks over `countedWindow` when given: the time since
 * the stage started) for `cohort` (a quick look: only the counted ones); checks run
 * concurrently, each check's queries in order. */
export async function evaluateChecks(
  analysis: AnalysisSpec,
  cohort: Cohort,
  vars: QueryVars,
  metrics: MetricsPort,
  ctx: Omit<JudgeContext, 'alpha' | 'strict'> & { countedWindow?: string },
): Promise<CheckVerdict[]> {
  const checks = ctx.quick ? analysis.checks.filter(countedCheck) : analysis.checks;
  const { countedWindow, ...judging } = ctx;
  const countedVars = countedWindow === undefined ? vars : { ...vars, interval: countedWindow };
  return Promise.all(
    checks.map(async (check) => {
      const outcome = await evaluateCheck(check, planCheckQueries(check, cohort, countedCheck(check) ? countedVars : vars), metrics);
      return Array.isArray(outcome) ? judgeCheck(check, cohort, outcome, { alpha: analysis.alpha, strict: analysis.strict === true, ...judging }) : outcome;
    }),
  );
}
