// One evaluation of every check of a stage: plan the queries, run them through the metrics port,
// judge. A failing metrics backend is a failed check (never a pass, never "no data"), because a
// canary that cannot be observed must not advance.
import { MetricsError, describeError } from '../errors.ts';
import type { MetricsPort } from '../engine/ports.ts';
import { judgeCheck } from './judge.ts';
import { planCheckQueries } from './queries.ts';
import type { AnalysisSpec } from '../spec/types.ts';
import type { CheckSpec, CheckVerdict, Cohort, PlannedQuery, QueryResult, QueryVars } from './types.ts';

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
      results.push({ role: query.role, promql: query.promql, value: await metrics.query(query.promql) });
    } catch (error) {
      if (error instanceof MetricsError) return backendFailure(check, query, error, results);
      throw error;
    }
  }
  return results;
}

/** Evaluates every check of `analysis` once for `cohort`; checks run concurrently, each check's queries in order. */
export async function evaluateChecks(
  analysis: AnalysisSpec,
  cohort: Cohort,
  vars: QueryVars,
  metrics: MetricsPort,
  ctx: { looks: number; stableTrafficExpected?: boolean },
): Promise<CheckVerdict[]> {
  return Promise.all(
    analysis.checks.map(async (check) => {
      const outcome = await evaluateCheck(check, planCheckQueries(check, cohort, vars), metrics);
      return Array.isArray(outcome) ? judgeCheck(check, cohort, outcome, { alpha: analysis.alpha, ...ctx }) : outcome;
    }),
  );
}
