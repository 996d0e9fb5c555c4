// Every check type, once. A new type is one file in this folder plus one line in CHECK_TYPES; the
// spec's schema, its validation, the queries, the judgement and the reports all look types up here.
import type { JudgeContext } from '../judge.ts';
import { checkedDuration } from '../render.ts';
import type { CheckSpec, CheckVerdict, Cohort, PlannedQuery, QueryResult, QueryVars } from '../types.ts';
import type { CheckType } from './check-type.ts';
import { custom } from './custom.ts';
import { egressGate } from './egress.ts';
import { latencyP99 } from './latency.ts';
import { successRate } from './success-rate.ts';

export const CHECK_TYPES: readonly CheckType[] = [successRate, latencyP99, custom, egressGate];

/** The type named `name`, or undefined (the spec's schema refuses unknown types). */
export function findCheckType(name: unknown): CheckType | undefined {
  return CHECK_TYPES.find((t) => t.name === name);
}

/** The type of a parsed check; a name the registry does not know is a programming error. */
export function checkType(check: Pick<CheckSpec, 'name' | 'type'>): CheckType {
  const found = findCheckType(check.type);
  if (!found) throw new TypeError(`check ${check.name}: unknown check type ${JSON.stringify(check.type)}`);
  return found;
}

/** The fields of `check` that only its type has (its schema's own properties), those that are set. */
export function ownFields(type: CheckType, check: object): Record<string, unknown> {
  const fields = Object.keys(type.schema.properties ?? {});
  return Object.fromEntries(Object.entries(check).filter(([key, value]) => fields.includes(key) && value !== undefined));
}

/** Every query a check needs for one evaluation of `cohort` with the window `vars.interval`. */
export function planCheckQueries(check: CheckSpec, cohort: Cohort, vars: QueryVars): PlannedQuery[] {
  checkedDuration(vars.interval);
  return checkType(check).queries(check, cohort, vars);
}

/** Judges one evaluation of `check` from the results of its planned queries. */
export function judgeCheck(check: CheckSpec, cohort: Cohort, results: QueryResult[], ctx: JudgeContext): CheckVerdict {
  const measured = checkType(check).judge(check, cohort, results, ctx);
  const verdict: CheckVerdict = { check: check.name, status: measured.status, threshold: measured.threshold, reason: measured.reason, queries: results };
  if (measured.value !== undefined) verdict.value = measured.value;
  if (measured.stableValue !== undefined) verdict.stableValue = measured.stableValue;
  if (measured.requests !== undefined) verdict.requests = measured.requests;
  if (measured.evidence !== undefined) verdict.evidence = measured.evidence;
  return verdict;
}
