// Gateway API's matching precedence across the rules of every HTTPRoute attached to one parent, as
// the specification states it and as Istio implements it (pilot/pkg/config/kube/gateway: each
// match becomes its own route, stable-sorted): an Exact path before a PathPrefix before a
// RegularExpression path (regex precedence is left to implementations; Istio ranks it last), a
// longer path value first, a method match first, more header matches first, more query
// parameter matches first; remaining ties go to the oldest route, then the first by
// `namespace/name`, then the first rule and match in list order.

import type { HTTPRoute, RouteMatch } from './types.ts';

/** A match with the key Gateway API ranks it by. `route` is the index in the ordered routes. */
export interface RankedMatch {
  route: number;
  rule: number;
  match: number;
  value: RouteMatch;
}

/** The defaults the API server's schema fills in: a rule without matches matches every path. */
export const DEFAULT_MATCH: RouteMatch = { path: { type: 'PathPrefix', value: '/' } };

export function matchesOf(rule: { matches?: RouteMatch[] }): RouteMatch[] {
  return rule.matches && rule.matches.length > 0 ? rule.matches : [DEFAULT_MATCH];
}

/** The path as Istio reads it: PathPrefix by default, `/` by default, a trailing `/` ignored on a prefix. */
export function normalizedPath(m: RouteMatch): { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string } {
  const type = m.path?.type ?? 'PathPrefix';
  let value = m.path?.value ?? '/';
  if (type === 'PathPrefix' && value !== '/' && value.endsWith('/')) value = value.slice(0, -1);
  return { type, value };
}

const PATH_RANK = { Exact: 3, PathPrefix: 2, RegularExpression: 1 } as const;

/** Distinct names, case-insensitively: a repeated header or parameter name counts once. */
function distinctNames(list: Array<{ name: string }> | undefined, caseInsensitive: boolean): number {
  return new Set((list ?? []).map((h) => (caseInsensitive ? h.name.toLowerCase() : h.name))).size;
}

/** Negative when `a` takes precedence over `b`, positive when `b` does, 0 on a tie (list order decides). */
export function compareMatches(a: RouteMatch, b: RouteMatch): number {
  const pa = normalizedPath(a);
  const pb = normalizedPath(b);
  if (pa.type !== pb.type) return PATH_RANK[pb.type] - PATH_RANK[pa.type];
  if (pa.value.length !== pb.value.length) return pb.value.length - pa.value.length;
  if ((a.method === undefined) !== (b.method === undefined)) return a.method === undefined ? 1 : -1;
  const ha = distinctNames(a.headers, true);
  const hb = distinctNames(b.headers, true);
  if (ha !== hb) return hb - ha;
  return distinctNames(b.queryParams, false) - distinctNames(a.queryParams, false);
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Routes in Gateway API's tie-break order: oldest first, then by namespace, then by name (as Istio compares them). */
export function routeOrder<T extends Pick<HTTPRoute, 'metadata'>>(routes: readonly T[]): T[] {
  return [...routes].sort(
    (a, b) =>
      byText(a.metadata.creationTimestamp ?? '', b.metadata.creationTimestamp ?? '') ||
      byText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      byText(a.metadata.name, b.metadata.name),
  );
}

/** Every match of the routes (already in routeOrder), highest precedence first. */
export function rankMatches(routes: ReadonlyArray<{ spec: { rules?: Array<{ matches?: RouteMatch[] }> } }>): RankedMatch[] {
  const all: RankedMatch[] = [];
  routes.forEach((r, route) => {
    (r.spec.rules ?? []).forEach((rule, ruleIndex) => {
      matchesOf(rule).forEach((value, match) => {
        all.push({ route, rule: ruleIndex, match, value });
      });
    });
  });
  // Array.prototype.sort is stable: equal keys keep route, rule and match order.
  return all.sort((a, b) => compareMatches(a.value, b.value));
}
