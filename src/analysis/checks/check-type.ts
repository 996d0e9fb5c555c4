// What a check type is: one file under src/analysis/checks/ each, listed once in registry.ts. A type
// says how the spec describes and validates it, which queries one evaluation runs, how their
// results are judged, and how reports show its values.
import type { JudgeContext, Measured } from '../judge.ts';
import type { CheckSpec, Cohort, PlannedQuery, QueryResult, QueryVars } from '../types.ts';

/** The type's entry in the spec's JSON Schema (schema/canary.schema.json is built from these). */
export interface CheckSchema {
  /** One sentence on what the type measures and which bound it takes, starting with the type's name in backticks. */
  description: string;
  /** JSON Schema of the check fields only this type uses (the check object refuses unknown fields);
   * parsing and the round trip to YAML copy them as written. A field not yet in CheckSpec is read
   * by the type's file through its own narrower type (e.g. `CheckSpec & { hosts: string[] }`). */
  properties?: Record<string, object>;
}

/** What a type's spec rules see and how they report, relative to the check (`spec.analysis.checks[i]`). */
export interface CheckRules {
  /** compare is relative or both / absolute or both. */
  relative: boolean;
  absolute: boolean;
  /** A problem with `field` (or with the whole check). */
  problem(field: string | undefined, message: string): void;
  /** `field` is set although this type does not use it. */
  refuse(field: string, why: string): void;
  /** `field` is missing although this type needs it. */
  need(field: string, why: string): void;
  /** The first problem of a PromQL query template (syntax, variables, their placement), if any. */
  queryProblem(query: string): string | undefined;
}

export interface CheckType {
  /** The spec's `type`. */
  readonly name: string;
  /** Added by the spec itself (the egress gate, from `spec.egress`), never written in `checks`: left out of the schema. */
  readonly implicit?: boolean;
  readonly schema: CheckSchema;
  /** Its verdicts rest on request counts: a quick look between the recorded ones may decide, and
   * `minRequests` applies (default 20; without counts the default is 0 and YAML leaves it out). */
  readonly counted: boolean;
  /** The unit a value is written with in reports (` %`, ` ms`, or ''). */
  readonly unit: string;
  /** The range values can take, for charts' axes. */
  readonly range?: { min: number; max: number };
  /** The type's spec rules on the raw (possibly schema-invalid) check. */
  specRules(check: Record<string, unknown>, rules: CheckRules): void;
  /** Defaults that depend on the type, filled after parsing (e.g. latency's maxRatio). */
  withDefaults?(check: CheckSpec): CheckSpec;
  /** Every query one evaluation of `cohort` runs, with the window `vars.interval`. */
  queries(check: CheckSpec, cohort: Cohort, vars: QueryVars): PlannedQuery[];
  /** The verdict from the results of those queries. */
  judge(check: CheckSpec, cohort: Cohort, results: QueryResult[], ctx: JudgeContext): Measured;
}
