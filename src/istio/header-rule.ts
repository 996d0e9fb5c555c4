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
import type { HttpRoute, ObjectMeta, RouteDestination, VirtualService } from './types.ts';

/** The rule's name: deterministic, so people can find it. A name alone is no proof it is ours: see the mark. */
export function headerRuleName(canaryName: string): string {
  return `${canaryName}-dark-launch`;
}

/**
 * Our header rule is recognised by a mark only istio-canary writes: an annotation on the VirtualService
 * naming the rule and the sha256 of its whole content, written in the same write as the rule. Name and
 * shape are not enough (a user's route may be called `<canary>-dark-launch` and send to the canary's
 * host), and no field inside an http route both survives Istio's validation and leaves routing and
 * access logs untouched. The hash binds the mark to the exact rule: an annotation copied along with a
 * VirtualService onto edited routes, or a rule someone changed by hand, no longer matches.
 */
export function headerRuleMarkKey(canaryName: string): string {
  return `header-rule.istio-canary.dev/${canaryName}`;
}

export function headerRuleMark(rule: HttpRoute): string {
  return JSON.stringify({ route: rule.name ?? '', sha256: createHash('sha256').update(canonicalJson(rule)).digest('hex') });
}

/** `vs` with the mark of `rule` (or without any mark when `rule` is undefined). */
export function withHeaderRuleMark(vs: VirtualService, canaryName: string, rule: HttpRoute | undefined): VirtualService {
  const key = headerRuleMarkKey(canaryName);
  const annotations = { ...vs.metadata.annotations };
  if (rule) annotations[key] = headerRuleMark(rule);
  else delete annotations[key];
  const metadata: ObjectMeta = { ...vs.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  return { ...vs, metadata };
}

/**
 * A rollback also removes our rule when someone (a mutating webhook, a person) edited it after we wrote
 * it — the mark still names it — as long as it only sends to the canary subset: left in place it would
 * keep the cohort on the failed canary. Forward stages never take an edited rule for ours.
 */
export interface EditedRuleTolerance {
  host: string;
  canarySubset: string;
}

function markedName(mark: string): string | undefined {
  try {
    const route = (JSON.parse(mark) as { route?: unknown }).route;
    return typeof route === 'string' ? route : undefined;
  } catch {
    return undefined;
  }
}

function onlyToCanary(vs: VirtualService, route: HttpRoute, t: EditedRuleTolerance): boolean {
  const destinations = route.route ?? [];
  const namespace = vs.metadata.namespace ?? '';
  return destinations.length > 0 && destinations.every((d) => d.destination?.subset === t.canarySubset && sameHost(d.destination.host ?? '', t.host, namespace));
}

/**
 * A rule written by an istio-canary from before the mark carries none. It is taken for ours only when the
 * caller vouches for it from this canary's state (the recorded stage has the rule) and it is exactly the
 * rule the planner makes for that stage: a route merely of our name or shape is still refused.
 */
export type UnmarkedRuleCheck = (route: HttpRoute) => boolean;

/**
 * Index of this canary's header rule in `vs`, or undefined when it has none. InputError when a route
 * carries the rule's name without the mark matching it: it is someone else's route (or our rule edited
 * by hand), and taking it for ours would rewrite or delete it.
 */
export function findHeaderRule(vs: VirtualService, canaryName: string, rollback?: EditedRuleTolerance, unmarked?: UnmarkedRuleCheck): number | undefined {
  const name = headerRuleName(canaryName);
  const mark = vs.metadata.annotations?.[headerRuleMarkKey(canaryName)];
  const named = (vs.spec.http ?? []).flatMap((r, i) => (r.name === name ? [i] : []));
  const [first, second] = named;
  if (first === undefined) return undefined;
  if (second !== undefined) {
    throw new InputError(objectProblem(vs, `spec.http[${second}].name`, `a second route named '${name}' (after spec.http[${first}]); expected at most one: that name is reserved for the dark-launch rule of canary '${canaryName}': rename the other route`));
  }
  const route = vs.spec.http![first]!;
  if (mark !== undefined && mark === headerRuleMark(route)) return first;
  if (mark !== undefined && rollback && markedName(mark) === name && onlyToCanary(vs, route, rollback)) return first;
  if (mark === undefined && unmarked?.(route)) return first;
  const why = mark === undefined ? `no annotation ${headerRuleMarkKey(canaryName)} marks it as written by istio-canary` : `its content differs from the one istio-canary wrote (annotation ${headerRuleMarkKey(canaryName)}): it was edited by hand`;
  throw new InputError(objectProblem(vs, `spec.http[${first}].name`,
    `the route named '${name}' is not this canary's header rule (${why}); istio-canary never rewrites or deletes it: rename that route, or delete it yourself if it is a leftover dark-launch rule`));
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
): HttpRoute {
  const blocks = owned.match && owned.match.length > 0 ? owned.match : [{}];
  const match = blocks.map((block, j) => andHeaders(vs, `spec.http[${index}].match[${j}]`, block, headers));
  // A deep copy: the rule must not share objects with the owned route (a YAML writer would alias them).
  return { name: headerRuleName(canaryName), match, ...structuredClone(omit(owned, NOT_COPIED)), route: [canary] };
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
