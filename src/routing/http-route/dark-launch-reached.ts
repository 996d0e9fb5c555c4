// The dark-launch rule must be reachable: Gateway API gives a request to the first-ranked match that
// accepts it, so a match ranked above a dark-launch match that accepts every request the dark-launch
// match accepts (the same path, method, headers and parameters, or fewer of them) takes the whole
// cohort before it. The release would then dark-launch nothing — the precedence proof (reach.ts)
// holds vacuously, since no cohort request reaches the owned rule either. Refused, naming the match.
import { InputError } from '../../errors.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import { normalizedPath, rankMatches, routeOrder } from './precedence.ts';
import type { HTTPRoute, NameValueMatch, RouteMatch } from './types.ts';

function sameCondition(a: NameValueMatch, b: NameValueMatch, caseInsensitive: boolean): boolean {
  const name = (m: NameValueMatch) => (caseInsensitive ? m.name.toLowerCase() : m.name);
  return name(a) === name(b) && (a.type ?? 'Exact') === (b.type ?? 'Exact') && a.value === b.value;
}

/** True when every request `inner` accepts is accepted by `outer`: each of outer's conditions is one of inner's. */
export function covers(outer: RouteMatch, inner: RouteMatch): boolean {
  const po = normalizedPath(outer);
  const pi = normalizedPath(inner);
  const path = (po.type === 'PathPrefix' && po.value === '/') || (po.type === pi.type && po.value === pi.value);
  const method = outer.method === undefined || outer.method === inner.method;
  const all = (o: NameValueMatch[] | undefined, i: NameValueMatch[] | undefined, ci: boolean) => (o ?? []).every((c) => (i ?? []).some((d) => sameCondition(c, d, ci)));
  return path && method && all(outer.headers, inner.headers, true) && all(outer.queryParams, inner.queryParams, false);
}

/** InputError when a match ranked above one of the dark-launch rule's (at `darkIndex` of `desired`) takes all of its requests. */
export function checkDarkLaunchReached(desired: HTTPRoute, darkIndex: number, ownedIndex: number, siblings: readonly HTTPRoute[] = []): void {
  const routes = routeOrder([desired, ...siblings]);
  const self = routes.indexOf(desired);
  const ranked = rankMatches(routes);
  const userIndex = (rule: number) => (rule > darkIndex ? rule - 1 : rule);
  ranked.forEach((d, rank) => {
    if (d.route !== self || d.rule !== darkIndex) return;
    const above = ranked.slice(0, rank).find((m) => covers(m.value, d.value));
    if (above === undefined) return;
    const where = above.route === self ? `spec.rules[${userIndex(above.rule)}].matches[${above.match}]` : `HTTPRoute ${routes[above.route]!.metadata.namespace ?? ''}/${routes[above.route]!.metadata.name} spec.rules[${above.rule}].matches[${above.match}]`;
    throw new InputError(objectProblem(desired, `spec.rules[${userIndex(ownedIndex)}].matches[${d.match}]`,
      `${where} ranks above the dark-launch match and accepts every request it accepts (Gateway API precedence): the dark-launch rule would never be reached and the cohort would go where that match sends it; expected a cohort header, or header value, that match does not accept`));
  });
}
