// Validation of Istio objects: the CRD shape (what the API server enforces) plus istiod's webhook
// rules. An input that fails is the user's to fix (InputError); a produced object that fails is a
// bug in istio-canary, so it throws a plain Error naming the rule rather than writing it.
import { InputError } from '../errors.ts';
import { objectProblem, objectRef } from './object-ref.ts';
import { schemaProblems } from './schema.ts';
import type { DestinationRule, VirtualService } from './types.ts';
import { destinationRuleRuleProblems, virtualServiceRuleProblems, type RuleProblem } from './webhook-rules.ts';

type Checked = VirtualService | DestinationRule;

/** Every problem of `obj`; empty when the API server and istiod would both accept it. */
export function istioProblems(obj: Checked): RuleProblem[] {
  const shape = schemaProblems(obj.kind, obj).map((p) => ({ rule: 'crd-schema', ...p }));
  if (shape.length > 0) return shape; // the webhook rules assume the shape
  return obj.kind === 'VirtualService' ? virtualServiceRuleProblems(obj) : destinationRuleRuleProblems(obj);
}

/** InputError listing every problem of a live or user-supplied object. */
export function assertValidInput(obj: Checked): void {
  const problems = istioProblems(obj);
  if (problems.length > 0) throw new InputError(problems.map((p) => objectProblem(obj, p.path, p.message)));
}

/**
 * A problem keyed by the route it is in (the route's whole content, not its index), so the same
 * problem of an untouched route matches before and after an edit that moved the routes around.
 */
function problemKey(obj: Checked, p: RuleProblem): string {
  const inRoute = /^spec\.http\[(\d+)\](.*)$/.exec(p.path);
  const http = obj.kind === 'VirtualService' ? obj.spec.http : undefined;
  const where = inRoute && http ? `${JSON.stringify(http[Number(inRoute[1])])}${inRoute[2]}` : p.path;
  return `${p.rule}|${where}|${p.message}`;
}

/**
 * Throws when `produced` has a problem that `live` did not already have. A rollback must not be
 * blocked by a foreign route someone else made invalid (or that our rules judge stricter than
 * istiod): it leaves such routes as they are, and refuses only what it would break itself.
 */
export function assertNoNewProblems(live: Checked, produced: Checked): void {
  const known = new Set(istioProblems(live).map((p) => problemKey(live, p)));
  const added = istioProblems(produced).filter((p) => !known.has(problemKey(produced, p)));
  if (added.length > 0) assertValidProduced(produced, added);
}

/** Throws (a bug, not bad input) when an object istio-canary produced breaks a rule. */
export function assertValidProduced(obj: Checked, problems: RuleProblem[] = istioProblems(obj)): void {
  const [first, ...rest] = problems;
  if (first) {
    const more = rest.length ? ` (and ${rest.length} more)` : '';
    throw new Error(`istio-canary produced an invalid ${objectRef(obj)}: rule ${first.rule} at ${first.path}: ${first.message}${more}`);
  }
}
