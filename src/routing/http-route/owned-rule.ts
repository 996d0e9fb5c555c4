// Which rule of the HTTPRoute the canary manages: the one named by the spec's `route` (a rule
// `name`), or else the single rule that sends to the stable Service. The canary's own dark-launch
// rule is never a candidate, so a route mid-release resolves to the same rule as before it.
import { InputError } from '../../errors.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import type { BackendObjectRef, HTTPRoute, RouteRule, ServicePair } from './types.ts';

export interface OwnedRuleQuery {
  /** Rule name from the spec, if given. */
  /** The rule's name, or its index among the rules that are not our header rule. */
  rule?: string | number;
  services: ServicePair;
  /** Name of the canary's dark-launch rule, excluded from the candidates. */
  headerRuleName: string;
}

/** Is `ref` the Service `name` of the route's namespace (core group, kind Service)? */
export function refersTo(ref: BackendObjectRef, name: string, routeNamespace: string): boolean {
  return (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service' && ref.name === name && (ref.namespace ?? routeNamespace) === routeNamespace;
}

function sendsTo(rule: RouteRule, name: string, namespace: string): boolean {
  return (rule.backendRefs ?? []).some((b) => refersTo(b, name, namespace));
}

/** Index of the owned rule in `route.spec.rules`; InputError when it is missing, ambiguous or unusable. */
export function findOwnedRule(route: HTTPRoute, query: OwnedRuleQuery): number {
  const rules = route.spec.rules ?? [];
  const ns = query.services.namespace;
  let index: number;
  if (typeof query.rule === 'number') {
    const theirs = rules.flatMap((r, i) => (r.name !== query.headerRuleName ? [i] : []));
    index = theirs[query.rule] ?? -1;
    if (index < 0) {
      throw new InputError(objectProblem(route, 'spec.rules', `no rule at index ${query.rule} (${theirs.length} rules besides this canary's header rule); expected an index from 0 to ${theirs.length - 1}, or a rule name`));
    }
  } else if (query.rule !== undefined) {
    index = rules.findIndex((r) => r.name === query.rule);
    if (index < 0) {
      const names = rules.map((r) => r.name).filter((n): n is string => typeof n === 'string');
      const known = names.length ? `rules named: ${names.map((n) => `'${n}'`).join(', ')}` : 'no rule has a name';
      throw new InputError(objectProblem(route, 'spec.rules', `no rule named '${query.rule}' (${known}); expected the name given as the spec's route`));
    }
  } else {
    // Mid-release (promoted) the owned rule may send to the canary alone.
    const candidates = rules.flatMap((r, i) => (r.name !== query.headerRuleName && (sendsTo(r, query.services.stable, ns) || sendsTo(r, query.services.canary, ns)) ? [i] : []));
    if (candidates.length === 0) checkVersionsHere(route, query.services);
    if (candidates.length !== 1) {
      const why = candidates.length === 0 ? `no rule sends to the stable Service '${query.services.stable}'` : `${candidates.length} rules send to the stable Service '${query.services.stable}' or the canary Service '${query.services.canary}' (${candidates.map((i) => `spec.rules[${i}]`).join(', ')})`;
      throw new InputError(objectProblem(route, 'spec.rules', `${why}; name the rule to manage with \`route:\` in the spec (a rule \`name\`)`));
    }
    index = candidates[0]!;
  }
  checkRuleUsable(route, index, query.services);
  return index;
}

/** The versions' Services are the spec namespace's: a stable Service of the same name elsewhere is named as such. */
function checkVersionsHere(route: HTTPRoute, services: ServicePair): void {
  const refs = (route.spec.rules ?? []).flatMap((r, i) => (r.backendRefs ?? []).map((b, k) => ({ b, at: `spec.rules[${i}].backendRefs[${k}]` })));
  const elsewhere = refs.find(({ b }) => b.name === services.stable && (b.namespace ?? services.namespace) !== services.namespace);
  if (elsewhere === undefined) return;
  throw new InputError(objectProblem(route, elsewhere.at, `no rule sends to the stable Service '${services.stable}' of namespace '${services.namespace}', this one sends to the Service of that name in namespace '${elsewhere.b.namespace}'; istio-canary releases Services of the HTTPRoute's own namespace (the spec's \`namespace\`): move the HTTPRoute to the Services' namespace`));
}

function checkRuleUsable(route: HTTPRoute, index: number, services: ServicePair): void {
  const rule = route.spec.rules![index]!;
  const at = `spec.rules[${index}]`;
  const redirect = (rule.filters ?? []).findIndex((f) => f.type === 'RequestRedirect');
  if (redirect >= 0) {
    throw new InputError(objectProblem(route, `${at}.filters[${redirect}]`, 'the owned rule redirects (RequestRedirect); istio-canary manages a rule that sends traffic to backendRefs'));
  }
  const refs = rule.backendRefs ?? [];
  if (!refs.some((b) => refersTo(b, services.stable, services.namespace) || refersTo(b, services.canary, services.namespace))) {
    const found = refs.map((b) => `'${b.namespace ? `${b.namespace}/` : ''}${b.name}'`).join(', ') || 'none';
    throw new InputError(objectProblem(route, `${at}.backendRefs`, `no backendRef is the stable Service '${services.stable}' of namespace '${services.namespace}' (found: ${found}); expected the spec's stable Service among the owned rule's backends`));
  }
  refs.forEach((b, k) => {
    // A backend held at weight 0 (a maintenance page ready to switch on) receives nothing: it is kept as it is.
    if (b.weight !== 0 && !refersTo(b, services.stable, services.namespace) && !refersTo(b, services.canary, services.namespace)) {
      throw new InputError(objectProblem(route, `${at}.backendRefs[${k}]`, `the owned rule also sends to '${b.name}'; istio-canary shifts a rule whose only backend is the stable Service '${services.stable}' (move the other backend to a rule of its own, or hold it at weight 0)`));
    }
  });
}

/** Rules besides the owned one that send live requests to the stable Service: a release does not
 * touch them, so what they match stays on stable at every stage and after promotion. */
export function otherRulesToStable(route: HTTPRoute, ownedIndex: number, services: ServicePair): number[] {
  return (route.spec.rules ?? []).flatMap((rule, i) => (i !== ownedIndex && (rule.backendRefs ?? []).some((b) => b.weight !== 0 && refersTo(b, services.stable, services.namespace)) ? [i] : []));
}
