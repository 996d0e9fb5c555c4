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

/** Throws (a bug, not bad input) when an object istio-canary produced breaks a rule. */
export function assertValidProduced(obj: Checked): void {
  const [first, ...rest] = istioProblems(obj);
  if (first) {
    const more = rest.length ? ` (and ${rest.length} more)` : '';
    throw new Error(`istio-canary produced an invalid ${objectRef(obj)}: rule ${first.rule} at ${first.path}: ${first.message}${more}`);
  }
}
