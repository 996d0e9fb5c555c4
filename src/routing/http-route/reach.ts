// The proof that the dark-launch rule takes the cohort — and only the cohort — off the owned rule.
// Gateway API ranks every match of every rule of the routes on a parent (precedence.ts); each
// dark-launch match D is an owned match O with the cohort header(s) added, so D ranks above O.
// Any match ranked above D is ranked above O too: a request it takes never reached O before
// either. So if no other match stands between D and O, D receives exactly the requests that
// reached O and carry the cohort header — the cohort reaches the canary, nobody else does, and
// every request without the header still reaches O. A match between them that could accept the
// same request would take the cohort from it (or lose it to the canary): the plan is refused.
import { InputError } from '../../errors.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import { normalizedPath, rankMatches, routeOrder } from './precedence.ts';
import type { HTTPRoute, NameValueMatch, RouteMatch } from './types.ts';

export interface ReachProof {
  /** Per owned match: its rank and the dark-launch match's rank among all matches on the parent (0 = first). */
  pairs: Array<{ ownedMatch: number; ownedRank: number; darkLaunchRank: number }>;
  /** A sentence for the plan. */
  statement: string;
}

function exactValue(list: NameValueMatch[] | undefined, name: string, caseInsensitive: boolean): string | undefined {
  const m = (list ?? []).find((h) => (caseInsensitive ? h.name.toLowerCase() === name.toLowerCase() : h.name === name));
  return m !== undefined && (m.type ?? 'Exact') === 'Exact' ? m.value : undefined;
}

/** True when no request can satisfy both matches (different exact path, method or exact header/parameter value). */
export function disjoint(a: RouteMatch, b: RouteMatch): boolean {
  const pa = normalizedPath(a);
  const pb = normalizedPath(b);
  if (pa.type === pb.type && pa.type !== 'RegularExpression' && pa.value.length === pb.value.length && pa.value !== pb.value) return true;
  if (a.method !== undefined && b.method !== undefined && a.method !== b.method) return true;
  const differ = (x: NameValueMatch[] | undefined, y: NameValueMatch[] | undefined, ci: boolean) =>
    (x ?? []).some((h) => {
      const v = exactValue(x, h.name, ci);
      const w = exactValue(y, h.name, ci);
      return v !== undefined && w !== undefined && v !== w;
    });
  return differ(a.headers, b.headers, true) || differ(a.queryParams, b.queryParams, false);
}

/**
 * Proves, for `desired` (our route with the dark-launch rule at `darkIndex`, the owned rule at
 * `ownedIndex`) among the other routes attached to the same parent, that each dark-launch match
 * is ranked directly above its owned match except for matches that cannot accept the same
 * request. InputError naming the match in the way otherwise.
 */
export function proveCohortReach(desired: HTTPRoute, darkIndex: number, ownedIndex: number, siblings: readonly HTTPRoute[] = [], parent = 'the parent'): ReachProof {
  const routes = routeOrder([desired, ...siblings]);
  const self = routes.indexOf(desired);
  const ranked = rankMatches(routes);
  const rankOf = (rule: number, match: number) => ranked.findIndex((m) => m.route === self && m.rule === rule && m.match === match);
  // Messages name rules as the user wrote them: without the dark-launch rule.
  const userIndex = (rule: number) => (rule > darkIndex ? rule - 1 : rule);
  const pairs: ReachProof['pairs'] = [];
  const texts: string[] = [];
  const ownedCount = (desired.spec.rules![ownedIndex]!.matches ?? [{}]).length || 1;
  for (let j = 0; j < ownedCount; j++) {
    const darkLaunchRank = rankOf(darkIndex, j);
    const ownedRank = rankOf(ownedIndex, j);
    const dark = ranked[darkLaunchRank]!.value;
    if (!(darkLaunchRank < ownedRank)) {
      throw new InputError(objectProblem(desired, `spec.rules[${userIndex(ownedIndex)}].matches[${j}]`, 'the dark-launch match would not outrank the owned match; expected a match Gateway API ranks by its header count'));
    }
    for (const between of ranked.slice(darkLaunchRank + 1, ownedRank)) {
      if (disjoint(between.value, dark)) continue;
      const where = between.route === self ? `spec.rules[${userIndex(between.rule)}].matches[${between.match}]` : `HTTPRoute ${routes[between.route]!.metadata.namespace ?? ''}/${routes[between.route]!.metadata.name} spec.rules[${between.rule}].matches[${between.match}]`;
      throw new InputError(objectProblem(desired, `spec.rules[${userIndex(ownedIndex)}].matches[${j}]`,
        `${where} ranks between the dark-launch match and the owned match it copies (Gateway API precedence) and may accept the same requests: the cohort would not reach the canary exactly where it reached the owned rule; expected no other match of equal path and method with more headers than the owned match, or name a cohort header that match excludes`));
    }
    const apart = ranked.slice(darkLaunchRank + 1, ownedRank).length;
    pairs.push({ ownedMatch: j, ownedRank, darkLaunchRank });
    const owned = `the owned match #${ownedRank + 1} (${describeMatch(ranked[ownedRank]!.value)}) it copies`;
    texts.push(
      apart === 0
        ? `the dark-launch match ranks #${darkLaunchRank + 1}, directly above ${owned}, nothing between them`
        : `the dark-launch match ranks #${darkLaunchRank + 1}, above ${owned}; the ${apart} match${apart === 1 ? '' : 'es'} between them cannot accept a request it accepts`,
    );
  }
  const routesText = `${routes.length} HTTPRoute${routes.length === 1 ? '' : 's'}`;
  const statement = `on ${parent} (${ranked.length} matches of ${routesText}, Gateway API precedence): ${texts.join('; ')}. So the cohort reaches the canary exactly where it reached the owned rule, and no request without the cohort header does`;
  return { pairs, statement };
}

/** `PathPrefix /items, GET, headers x-team`: what a match selects, for the proof's sentence. */
export function describeMatch(m: RouteMatch): string {
  const path = normalizedPath(m);
  const parts = [`${path.type} ${path.value}`];
  if (m.method !== undefined) parts.push(m.method);
  if (m.headers?.length) parts.push(`header${m.headers.length === 1 ? '' : 's'} ${m.headers.map((h) => h.name).join(', ')}`);
  if (m.queryParams?.length) parts.push(`query ${m.queryParams.map((q) => q.name).join(', ')}`);
  return parts.join(', ');
}
