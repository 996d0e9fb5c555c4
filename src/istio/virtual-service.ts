// The VirtualService edits as two steps: strip this canary's traces from the live object (header
// rules, mirrors to the canary, weights) to get the pre-release baseline, then lay one stage's routing
// onto that baseline. Planning from any stage's VirtualService therefore starts from the same
// baseline, and every route the canary does not own is carried over untouched. Every owned route gets
// the stage: its own header rule right before it (carrying its matches), its own weights and mirror.
import { InputError } from '../errors.ts';
import { clone, jsonEqual } from './clone.ts';
import { allToCanary, allToStable, canaryDestination, destinationTemplate, idleDestinations, splitWeights } from './destinations.ts';
import type { CanaryTarget, Destinations } from './destinations.ts';
import { buildHeaderRule, findHeaderRules, headerRuleMarkKey, withHeaderRuleMark } from './header-rule.ts';
import { checkNoForeignMirror, withMirror, withoutOwnMirror } from './mirror.ts';
import { checkNoNewFindings, type InsertedRule, withoutShadowedBlocks } from './header-rule-reach.ts';
import { findOwnedRoutes } from './owned-route.ts';
import { checkNotShadowed } from './shadowing.ts';
import { ISTIO_API_VERSION, type HttpRoute, type VirtualService } from './types.ts';

export interface CanaryRouting {
  canaryName: string;
  /** The spec's route (name or index), if any. */
  route?: string | number;
  target: CanaryTarget;
}

/** One owned route: where it is in the baseline and in the live object, and its destinations. */
export interface OwnedRoute {
  baseIndex: number;
  liveIndex: number;
  destinations: Destinations;
}

export interface Baseline {
  virtualService: VirtualService;
  /** The owned routes, in order. */
  owned: OwnedRoute[];
  /** Routes to the stable version that no request reaches (live indices): reported, not owned. */
  shadowed: number[];
  /** Indices of this canary's (marked) header rules in the live object. */
  liveHeaderRules: number[];
  /** Index in the live object of each baseline route. */
  liveIndexOf: number[];
  /** The header rule found has no mark: an earlier istio-canary wrote it (see StripOptions.legacyHeaders). */
  legacyHeaderRule?: boolean;
  /** Refuse a header rule an earlier route would starve (forward plans; a rollback removes the rules). */
  checkShadowing: boolean;
}

export interface StripOptions {
  mirrorNeeded: boolean;
  rollback?: boolean;
  /** The cohort headers of the stage this canary's state records as current, when that stage has the
   * header rule: an unmarked rule (written before the mark existed) exactly equal to the one planned
   * for them is taken for ours. */
  legacyHeaders?: Record<string, unknown>;
}

/** The live VirtualService without this canary's traces; the owned routes send everything to stable. */
export function stripCanary(live: VirtualService, routing: CanaryRouting, opts: StripOptions): Baseline {
  const unmarked = opts.legacyHeaders && isPlannedRule(live, routing, opts.legacyHeaders);
  const liveHeaderRules = findHeaderRules(live, routing.canaryName, opts.rollback ? { canary: routing.target.canary } : undefined, unmarked);
  const { ownership, owned } = ownedAtBaseline(live, routing, liveHeaderRules);
  if (opts.mirrorNeeded) for (const o of owned) checkNoForeignMirror(live, o.liveIndex, o.route);
  const http: HttpRoute[] = [];
  const liveIndexOf: number[] = [];
  const ownedRoutes: OwnedRoute[] = [];
  live.spec.http!.forEach((r, i) => {
    if (liveHeaderRules.includes(i)) return;
    const mine = owned.find((o) => o.liveIndex === i);
    if (mine) ownedRoutes.push({ baseIndex: http.length, liveIndex: i, destinations: mine.destinations });
    liveIndexOf.push(i);
    http.push(mine ? mine.route : clone(r));
  });
  const virtualService = withHeaderRuleMark(clone(live), routing.canaryName, undefined);
  virtualService.apiVersion = ISTIO_API_VERSION;
  virtualService.spec.http = http;
  const legacy = liveHeaderRules.length > 0 && live.metadata.annotations?.[headerRuleMarkKey(routing.canaryName)] === undefined;
  return {
    virtualService,
    owned: ownedRoutes,
    shadowed: ownership.shadowed,
    liveHeaderRules,
    liveIndexOf,
    checkShadowing: opts.rollback !== true,
    ...(legacy ? { legacyHeaderRule: true } : {}),
  };
}

/** The owned routes as before the release (no canary mirror, all to stable), and where they are live. */
function ownedAtBaseline(live: VirtualService, routing: CanaryRouting, headerRules: number[]) {
  const ownership = findOwnedRoutes(live, { ...(routing.route !== undefined ? { route: routing.route } : {}), target: routing.target, headerRules });
  const namespace = live.metadata.namespace ?? '';
  const owned = ownership.owned.map((liveIndex) => {
    const destinations: Destinations = { template: destinationTemplate(live, liveIndex, routing.target), idle: idleDestinations(live, liveIndex, routing.target), namespace };
    const route: HttpRoute = { ...withoutOwnMirror(clone(live.spec.http![liveIndex]!), routing.target, namespace), route: allToStable(destinations, routing.target) };
    return { liveIndex, destinations, route };
  });
  return { ownership, owned };
}

/** Whether `route` is exactly the header rule the planner makes for `headers` from the (single) owned route. */
function isPlannedRule(live: VirtualService, routing: CanaryRouting, headers: Record<string, unknown>) {
  return (route: HttpRoute): boolean => {
    try {
      const rule = live.spec.http!.indexOf(route);
      const { owned } = ownedAtBaseline(live, routing, [rule]);
      const [first] = owned;
      return owned.length === 1 && jsonEqual(route, buildHeaderRule(live, first!.liveIndex, first!.route, routing.canaryName, headers, canaryDestination(first!.destinations, routing.target)));
    } catch (e) {
      if (e instanceof InputError) return false; // the plan reports it on its own terms
      throw e;
    }
  };
}

/** What the owned routes do in one stage (the same shape as the plan's StageRouting, which istio/ cannot import). */
export interface OwnedRouteEdit {
  destinations: { to: 'stable' } | { to: 'canary' } | { to: 'split'; canaryWeight: number };
  /** Mirror this percentage to the canary; absent = no mirror. */
  mirrorPercentage?: number;
  /** Insert the header rules with these cohort headers; absent = no header rule. */
  headers?: Record<string, unknown>;
}

/** The baseline with one stage's routing on every owned route (and a header rule before each). */
export function applyRouting(base: Baseline, routing: CanaryRouting, stage: OwnedRouteEdit, live: VirtualService): VirtualService {
  const vs = clone(base.virtualService);
  const http = vs.spec.http!;
  const baseOwned = base.owned.map((o) => http[o.baseIndex]!);
  for (const o of base.owned) {
    let route: HttpRoute = { ...http[o.baseIndex]!, route: destinationsFor(o.destinations, routing.target, stage.destinations) };
    if (stage.mirrorPercentage !== undefined) route = withMirror(route, o.destinations, routing.target, stage.mirrorPercentage);
    http[o.baseIndex] = route;
  }
  if (stage.headers === undefined) return vs;
  const rules: HttpRoute[] = [];
  const inserted: InsertedRule[] = [];
  base.owned.forEach((o, k) => {
    const built = buildHeaderRule(live, o.liveIndex, baseOwned[k]!, routing.canaryName, stage.headers!, canaryDestination(o.destinations, routing.target), k);
    if (base.checkShadowing) notShadowedOnce(base, live, o.liveIndex, built);
    // Rules already inserted sit before this owned route: its index in `http` moved by their number.
    const at = o.baseIndex + k;
    const { rule, sources } = withoutShadowedBlocksOnce(base, o.liveIndex, built, http, at);
    http.splice(at, 0, rule);
    rules.push(rule);
    inserted.push({ at, liveIndex: o.liveIndex, sources });
  });
  // A rollback plans the forward stages too, but must never be refused over them.
  if (base.checkShadowing) checkNoNewFindings(base.virtualService.spec.http!, http, inserted, { live, liveIndexOf: base.liveIndexOf });
  return withHeaderRuleMark(vs, routing.canaryName, rules);
}

/**
 * Every stage with the header rules builds the same rule for an owned route, and the match blocks
 * before it are the same in each (stages differ in destinations and mirrors only): the earlier routes
 * are searched once per rule and plan (with many owned routes these searches are the plan's largest cost).
 */
const searched = new WeakMap<Baseline, Map<string, unknown>>();

function once<T>(base: Baseline, key: string, search: () => T): T {
  let results = searched.get(base);
  if (results === undefined) {
    results = new Map();
    searched.set(base, results);
  }
  if (!results.has(key)) results.set(key, search());
  return results.get(key) as T;
}

function notShadowedOnce(base: Baseline, live: VirtualService, liveIndex: number, rule: HttpRoute): void {
  once(base, `shadowed|${liveIndex}|${JSON.stringify(rule.match)}`, () => checkNotShadowed(live, liveIndex, base.liveHeaderRules, rule));
}

function withoutShadowedBlocksOnce(base: Baseline, liveIndex: number, rule: HttpRoute, http: HttpRoute[], at: number): ReturnType<typeof withoutShadowedBlocks> {
  const kept = once(base, `blocks|${liveIndex}|${JSON.stringify(rule.match)}`, () => withoutShadowedBlocks(rule, http.slice(0, at)));
  // The rule of this stage, with the blocks kept for the rule built first (same match, same blocks).
  return { rule: { ...rule, match: structuredClone(kept.rule.match) }, sources: kept.sources };
}

function destinationsFor(d: Destinations, t: CanaryTarget, to: OwnedRouteEdit['destinations']) {
  if (to.to === 'stable') return allToStable(d, t);
  if (to.to === 'canary') return allToCanary(d, t);
  return splitWeights(d, t, to.canaryWeight);
}
