// The dark-launch header rule: a copy of the owned route, placed directly before it, whose every
// match block also requires the cohort header and whose only destination is the canary subset. It
// keeps the owned route's timeout, retries, header edits, CORS, fault, rewrite..., so the cohort is
// served exactly as before except for the version that answers. It is known by its mark, not its name.
import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import { canonicalJson } from '../json/canonical.ts';
import { jsonEqual, omit } from './clone.ts';
import { sameHost } from './hosts.ts';
import { objectProblem } from './object-ref.ts';
import type { VersionDestination } from './destinations.ts';
import type { HttpRoute, ObjectMeta, RouteDestination, VirtualService } from './types.ts';

/** The rule's name: deterministic, so people can find it. A name alone is no proof it is ours: see the mark.
 * With several owned routes, the rule before the k-th (from 0) is `<canary>-dark-launch-<k+1>` for k >= 1. */
export function headerRuleName(canaryName: string, k = 0): string {
  return k === 0 ? `${canaryName}-dark-launch` : `${canaryName}-dark-launch-${k + 1}`;
}

/** A route name of this canary's header-rule family. */
function isRuleName(canaryName: string, name: unknown): boolean {
  if (typeof name !== 'string') return false;
  const base = headerRuleName(canaryName);
  return name === base || (name.startsWith(`${base}-`) && /^[1-9][0-9]*$/.test(name.slice(base.length + 1)) && name !== `${base}-1`);
}

/**
 * Our header rules are recognised by a mark only istio-canary writes: an annotation on the VirtualService
 * naming each rule and the sha256 of its whole content, written in the same write as the rules. Name and
 * shape are not enough (a user's route may be called `<canary>-dark-launch` and send to the canary's
 * host), and no field inside an http route both survives Istio's validation and leaves routing and
 * access logs untouched. The hash binds the mark to the exact rule: an annotation copied along with a
 * VirtualService onto edited routes, or a rule someone changed by hand, no longer matches. One rule is
 * marked `{"route","sha256"}` (as before several owned routes existed); several, a list of those.
 */
export function headerRuleMarkKey(canaryName: string): string {
  return `header-rule.istio-canary.dev/${canaryName}`;
}

interface RuleMark {
  route: string;
  sha256: string;
}

function ruleMark(rule: HttpRoute): RuleMark {
  return { route: rule.name ?? '', sha256: createHash('sha256').update(canonicalJson(rule)).digest('hex') };
}

export function headerRuleMark(rule: HttpRoute): string {
  return JSON.stringify(ruleMark(rule));
}

/** The mark of `rules` (one rule: the single form). */
export function headerRulesMark(rules: HttpRoute[]): string {
  return rules.length === 1 ? headerRuleMark(rules[0]!) : JSON.stringify(rules.map(ruleMark));
}

/** The marks an annotation holds; none when it is not ours to read. */
function readMarks(mark: string | undefined): RuleMark[] {
  if (mark === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(mark);
  } catch {
    return [];
  }
  const isMark = (m: unknown): m is RuleMark => typeof m === 'object' && m !== null && typeof (m as RuleMark).route === 'string' && typeof (m as RuleMark).sha256 === 'string';
  if (Array.isArray(parsed)) return parsed.filter(isMark);
  return isMark(parsed) ? [parsed] : [];
}

/** `vs` with the mark of `rules` (or without any mark when there are none). */
export function withHeaderRuleMark(vs: VirtualService, canaryName: string, rules: HttpRoute | HttpRoute[] | undefined): VirtualService {
  const list = rules === undefined ? [] : Array.isArray(rules) ? rules : [rules];
  const key = headerRuleMarkKey(canaryName);
  const annotations = { ...vs.metadata.annotations };
  if (list.length > 0) annotations[key] = headerRulesMark(list);
  else delete annotations[key];
  const metadata: ObjectMeta = { ...vs.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  return { ...vs, metadata };
}

/**
 * A rollback also removes our rule when someone (a mutating webhook, a person) edited it after we wrote
 * it — the mark still names it — as long as it only sends to the canary: left in place it would keep the
 * cohort on the failed canary. Forward stages never take an edited rule for ours.
 */
export interface EditedRuleTolerance {
  canary: VersionDestination;
}

function onlyToCanary(vs: VirtualService, route: HttpRoute, t: EditedRuleTolerance): boolean {
  const destinations = route.route ?? [];
  const namespace = vs.metadata.namespace ?? '';
  return destinations.length > 0 && destinations.every((d) => d.destination?.subset === t.canary.subset && sameHost(d.destination.host ?? '', t.canary.host, namespace));
}

/**
 * A rule written by an istio-canary from before the mark carries none. It is taken for ours only when the
 * caller vouches for it from this canary's state (the recorded stage has the rule) and it is exactly the
 * rule the planner makes for that stage: a route merely of our name or shape is still refused.
 */
export type UnmarkedRuleCheck = (route: HttpRoute) => boolean;

/**
 * Indices of this canary's header rules in `vs` (none when it has none). InputError when a route carries
 * a rule's name without the mark matching it: it is someone else's route (or our rule edited by hand),
 * and taking it for ours would rewrite or delete it. A rule deleted by someone else is simply missing.
 */
export function findHeaderRules(vs: VirtualService, canaryName: string, rollback?: EditedRuleTolerance, unmarked?: UnmarkedRuleCheck): number[] {
  const key = headerRuleMarkKey(canaryName);
  const annotation = vs.metadata.annotations?.[key];
  const marks = readMarks(annotation);
  const http = vs.spec.http ?? [];
  const named = http.flatMap((r, i) => (isRuleName(canaryName, r.name) ? [i] : []));
  const seen = new Map<string, number>();
  for (const i of named) {
    const name = http[i]!.name!;
    const first = seen.get(name);
    if (first !== undefined) {
      throw new InputError(objectProblem(vs, `spec.http[${i}].name`, `a second route named '${name}' (after spec.http[${first}]); expected at most one: that name is reserved for a dark-launch rule of canary '${canaryName}': rename the other route`));
    }
    seen.set(name, i);
  }
  return named.filter((i) => {
    const route = http[i]!;
    const mine = marks.find((m) => m.route === route.name);
    if (mine && mine.sha256 === ruleMark(route).sha256) return true;
    if (mine && rollback && onlyToCanary(vs, route, rollback)) return true;
    if (annotation === undefined && named.length === 1 && unmarked?.(route)) return true;
    const why = !mine ? `no annotation ${key} marks it as written by istio-canary` : `its content differs from the one istio-canary wrote (annotation ${key}): it was edited by hand`;
    throw new InputError(objectProblem(vs, `spec.http[${i}].name`,
      `the route named '${route.name}' is not this canary's header rule (${why}); istio-canary never rewrites or deletes it: rename that route, or delete it yourself if it is a leftover dark-launch rule`));
  });
}

/** Fields of the owned route the header rule does not copy: it has its own name, match and destination.
 * A mirror the route already has (someone else's) is copied like any other option; the canary's own
 * mirror is never on the route given here (the baseline has it stripped), and mirroring the cohort to
 * the canary that answers it would be pointless. */
const NOT_COPIED = ['name', 'match', 'route'] as const;

/**
 * The header rule for `owned` (the owned route as before the release, without the canary's mirror, at `index` in `vs`).
 * InputError when an owned match block already matches one of the cohort headers differently.
 */
export function buildHeaderRule(
  vs: VirtualService,
  index: number,
  owned: HttpRoute,
  canaryName: string,
  headers: Record<string, unknown>,
  canary: RouteDestination,
  k = 0,
): HttpRoute {
  const blocks = owned.match && owned.match.length > 0 ? owned.match : [{}];
  const match = blocks.map((block, j) => andHeaders(vs, `spec.http[${index}].match[${j}]`, block, headers));
  // A deep copy: the rule must not share objects with the owned route (a YAML writer would alias them).
  return { name: headerRuleName(canaryName, k), match, ...structuredClone(omit(owned, NOT_COPIED)), route: [canary] };
}

function andHeaders(vs: VirtualService, path: string, block: Record<string, unknown>, headers: Record<string, unknown>): Record<string, unknown> {
  const existing = (block.headers ?? {}) as Record<string, unknown>;
  const excluded = (block.withoutHeaders ?? {}) as Record<string, unknown>;
  for (const [name, match] of Object.entries(headers)) {
    if (existing[name] !== undefined && !jsonEqual(existing[name], match)) {
      throw new InputError(objectProblem(vs, `${path}.headers.${name}`, `the owned route already matches header '${name}' differently; expected a dark-launch header the route does not match on`));
    }
    // Excluding the same match, or the header's presence ({}), contradicts the cohort header.
    if (excluded[name] !== undefined && (jsonEqual(excluded[name], match) || jsonEqual(excluded[name], {}))) {
      throw new InputError(objectProblem(vs, `${path}.withoutHeaders.${name}`, `the owned route excludes requests with header '${name}', so the header rule would match nothing; expected a dark-launch header the route does not exclude`));
    }
  }
  return { ...block, headers: { ...existing, ...structuredClone(headers) } };
}
