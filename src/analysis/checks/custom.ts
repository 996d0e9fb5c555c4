// `custom`: the user's PromQL template (values escaped into it), whose value must lie within
// `min`/`max`. A point value: there is no count behind it to test.
import { formatNumber } from '../format.ts';
import { badCount, combine, count, formatBeside, resultOf, tooFewRequests, type Measured, type Part } from '../judge.ts';
import { requestCount, ROLE, canaryMatchers } from '../queries.ts';
import { renderQuery } from '../render.ts';
import type { CheckSpec, Cohort, PlannedQuery, QueryResult, QueryVars } from '../types.ts';
import type { CheckType } from './check-type.ts';

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

function customQueries(check: CheckSpec, cohort: Cohort, vars: QueryVars): PlannedQuery[] {
  if (check.query === undefined) throw new TypeError(`check ${check.name}: a custom check needs a query`);
  const queries: PlannedQuery[] = [{ role: ROLE.value, promql: renderQuery(check.query, vars) }];
  if (check.minRequests > 0) {
    queries.unshift({ role: ROLE.canaryRequests, promql: requestCount(canaryMatchers(vars, cohort === 'mirror'), vars.interval) });
  }
  return queries;
}

export const custom: CheckType = {
  name: 'custom',
  schema: {
    description: '`custom`: a PromQL `query` whose value must lie within `min`/`max`.',
    properties: {
      query: {
        description:
          'custom: PromQL template. Variables: {{ namespace }}, {{ service }}, {{ canaryService }} and {{ stableService }} (the FQDN each version answers as in `destination_service`: its own Service with one Service per version, else {{ service }}), {{ canaryWorkload }}, {{ stableWorkload }}, {{ canaryVersion }}, {{ stableVersion }} (each substituted as an escaped string, write them inside quotes) and {{ interval }} (a duration, e.g. `[{{ interval }}]`).',
        type: 'string',
        minLength: 1,
      },
    },
  },
  counted: false,
  unit: '',
  specRules(check, rules) {
    if (check.query === undefined) rules.need('query', 'a custom check runs a PromQL template');
    if (check.min === undefined && check.max === undefined) rules.problem(undefined, 'a custom check needs `min`, `max` or both');
    if (rules.relative) rules.problem('compare', 'custom checks compare against `min`/`max` only; expected `absolute`');
    rules.refuse('maxRatio', '`maxRatio` applies to latency-p99 only');
    rules.refuse('minRequests', '`minRequests` applies to the built-in checks only (a custom query has no request count)');
    if (typeof check.query === 'string') {
      const problem = rules.queryProblem(check.query);
      if (problem) rules.problem('query', problem);
    }
  },
  queries: (check, cohort, vars) => customQueries(check, cohort, vars),
  judge: (check, _cohort, results) => judgeCustom(check, results),
};
