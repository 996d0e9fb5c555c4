// The dark-launch rule of an HTTPRoute: a copy of the owned rule whose every match also requires
// the cohort header(s) and whose only backend is the canary Service. It keeps the owned rule's
// other matches, filters (header modifiers, rewrites, CORS, foreign mirrors), timeouts and retry,
// so the cohort is served exactly as before except for the version that answers. Gateway API
// ranks a match with more header matches ahead of the same match with fewer (reach.ts proves
// nothing else stands between them); the rule is placed directly before the owned rule.
// It is known by the same mark as the VirtualService rule (src/istio/header-rule.ts): an annotation
// naming it with the sha256 of its content.
import { InputError } from '../../errors.ts';
import { headerRuleMark, headerRuleMarkKey, headerRuleName, withHeaderRuleMark } from '../../istio/header-rule.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import type { StringMatch } from '../../spec/types.ts';
import { DEFAULT_MATCH } from './precedence.ts';
import type { BackendRef, HTTPRoute, NameValueMatch, RouteMatch, RouteRule } from './types.ts';

export { headerRuleMark, headerRuleMarkKey, headerRuleName, withHeaderRuleMark };

/**
 * Index of this canary's dark-launch rule, or undefined. InputError when a rule has the reserved
 * name without the mark matching it (someone else's rule, or ours edited by hand) — unless this is
 * a rollback and the rule only sends to the canary: left in place it would keep the cohort there.
 */
export function findHeaderRule(route: HTTPRoute, canaryName: string, rollback?: { canary: string; namespace: string }): number | undefined {
  const name = headerRuleName(canaryName);
  const key = headerRuleMarkKey(canaryName);
  const mark = route.metadata.annotations?.[key];
  const index = (route.spec.rules ?? []).findIndex((r) => r.name === name);
  if (index < 0) return undefined;
  const rule = route.spec.rules![index]!;
  if (mark !== undefined && mark === headerRuleMark(rule)) return index;
  const refs = rule.backendRefs ?? [];
  if (rollback && mark !== undefined && refs.length > 0 && refs.every((b) => b.name === rollback.canary && (b.namespace ?? rollback.namespace) === rollback.namespace)) return index;
  const why = mark === undefined ? `no annotation ${key} marks it as written by istio-canary` : `its content differs from the one istio-canary wrote (annotation ${key}): it was edited by hand`;
  throw new InputError(objectProblem(route, `spec.rules[${index}].name`, `the rule named '${name}' is not this canary's dark-launch rule (${why}); istio-canary never rewrites or deletes it: rename that rule, or delete it yourself if it is a leftover`));
}

/** A cohort header of the spec as an HTTPRoute header match (Exact or an RE2 RegularExpression). */
export function cohortHeaderMatch(name: string, match: StringMatch): NameValueMatch {
  if ('exact' in match) return { type: 'Exact', name, value: match.exact };
  if ('regex' in match) return { type: 'RegularExpression', name, value: match.regex };
  // A prefix, or mere presence, as the RE2 full match Istio gives a regex header match.
  const prefix = 'prefix' in match ? match.prefix.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&') : '';
  return { type: 'RegularExpression', name, value: `${prefix}.*` };
}

function andCohort(route: HTTPRoute, at: string, match: RouteMatch, cohort: NameValueMatch[]): RouteMatch {
  const own = match.headers ?? [];
  for (const h of cohort) {
    const k = own.findIndex((o) => o.name.toLowerCase() === h.name.toLowerCase());
    if (k >= 0) {
      throw new InputError(objectProblem(route, `${at}.headers[${k}]`, `the owned rule already matches header '${own[k]!.name}'; expected a dark-launch header the rule does not match on (its cohort could not be told apart)`));
    }
  }
  return { ...structuredClone(match), headers: [...structuredClone(own), ...cohort] };
}

/** Fields of the owned rule the dark-launch rule does not copy: it has its own name, matches and backend. */
const NOT_COPIED = new Set(['name', 'matches', 'backendRefs']);

/**
 * The dark-launch rule for `owned` (the owned rule as at the baseline: no canary backend, no
 * canary mirror), at `index` of `route`, with the stable backendRef's port and filters for the canary.
 */
export function buildHeaderRule(route: HTTPRoute, index: number, owned: RouteRule, canaryName: string, headers: Record<string, StringMatch>, canaryRef: BackendRef): RouteRule {
  const cohort = Object.entries(headers).map(([name, m]) => cohortHeaderMatch(name, m));
  const matches = (owned.matches && owned.matches.length > 0 ? owned.matches : [DEFAULT_MATCH]).map((m, j) => andCohort(route, `spec.rules[${index}].matches[${j}]`, m, cohort));
  const copied = Object.fromEntries(Object.entries(structuredClone(owned)).filter(([k]) => !NOT_COPIED.has(k)));
  return { name: headerRuleName(canaryName), matches, ...copied, backendRefs: [{ ...structuredClone(canaryRef), weight: 1 }] };
}

