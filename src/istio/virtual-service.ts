// The VirtualService edits as two steps: strip this canary's traces from the live object (header
// rule, mirror to the canary, weights) to get the pre-release baseline, then lay one stage's routing
// onto that baseline. Planning from any stage's VirtualService therefore starts from the same
// baseline, and every route the canary does not own is carried over untouched.
import { InputError } from '../errors.ts';
import { clone, jsonEqual } from './clone.ts';
import { allToCanary, allToStable, canaryDestination, destinationTemplate, splitWeights } from './destinations.ts';
import type { CanaryTarget, DestinationTemplate } from './destinations.ts';
import { buildHeaderRule, findHeaderRule, headerRuleMarkKey, headerRuleName, withHeaderRuleMark } from './header-rule.ts';
import { checkNoForeignMirror, withMirror, withoutOwnMirror } from './mirror.ts';
import { checkNoNewFindings, withoutShadowedBlocks } from './header-rule-reach.ts';
import { findOwnedRoute } from './owned-route.ts';
import { checkNotShadowed } from './shadowing.ts';
import { ISTIO_API_VERSION, type HttpRoute, type VirtualService } from './types.ts';

export interface CanaryRouting {
  canaryName: string;
  /** The spec's route name, if any. */
  route?: string;
  target: CanaryTarget;
}

export interface Baseline {
  virtualService: VirtualService;
  /** Index of the owned route in the baseline. */
  ownedIndex: number;
  /** Index of the owned route in the live object (for messages and reading traces). */
  liveIndex: number;
  /** Index of this canary's (marked) header rule in the live object, if it has one. */
  liveHeaderRule?: number;
  /** The header rule found has no mark: an earlier istio-canary wrote it (see StripOptions.legacyHeaders). */
  legacyHeaderRule?: boolean;
  /** Refuse a header rule an earlier route would starve (forward plans; a rollback removes the rule). */
  checkShadowing: boolean;
  template: DestinationTemplate;
}

export interface StripOptions {
  mirrorNeeded: boolean;
  rollback?: boolean;
  /** The cohort headers of the stage this canary's state records as current, when that stage has the
   * header rule: an unmarked rule (written before the mark existed) exactly equal to the one planned
   * for them is taken for ours. */
  legacyHeaders?: Record<string, unknown>;
}

/** The live VirtualService without this canary's traces; the owned route sends everything to stable. */
export function stripCanary(live: VirtualService, routing: CanaryRouting, opts: StripOptions): Baseline {
  const unmarked = opts.legacyHeaders && isPlannedRule(live, routing, opts.legacyHeaders);
  const liveHeaderRule = findHeaderRule(live, routing.canaryName, opts.rollback ? { host: routing.target.host, canarySubset: routing.target.canarySubset } : undefined, unmarked);
  const { liveIndex, template, owned } = ownedAtBaseline(live, routing);
  if (opts.mirrorNeeded) checkNoForeignMirror(live, liveIndex, owned);
  const http: HttpRoute[] = [];
  let ownedIndex = -1;
  live.spec.http!.forEach((r, i) => {
    if (i === liveIndex) {
      ownedIndex = http.length;
      http.push(owned);
    } else if (i !== liveHeaderRule) {
      http.push(clone(r));
    }
  });
  const virtualService = withHeaderRuleMark(clone(live), routing.canaryName, undefined);
  virtualService.apiVersion = ISTIO_API_VERSION;
  virtualService.spec.http = http;
  const legacy = liveHeaderRule !== undefined && live.metadata.annotations?.[headerRuleMarkKey(routing.canaryName)] === undefined;
  return {
    virtualService,
    ownedIndex,
    liveIndex,
    template,
    checkShadowing: opts.rollback !== true,
    ...(liveHeaderRule !== undefined ? { liveHeaderRule } : {}),
    ...(legacy ? { legacyHeaderRule: true } : {}),
  };
}

/** The owned route as before the release (no canary mirror, all to stable), and where it is live. */
function ownedAtBaseline(live: VirtualService, routing: CanaryRouting) {
  const liveIndex = findOwnedRoute(live, { route: routing.route, host: routing.target.host, headerRuleName: headerRuleName(routing.canaryName) });
  const template = destinationTemplate(live, liveIndex, routing.target);
  const liveOwned = live.spec.http![liveIndex]!;
  const owned: HttpRoute = { ...withoutOwnMirror(clone(liveOwned), routing.target, live.metadata.namespace ?? ''), route: allToStable(template, routing.target) };
  return { liveIndex, template, owned };
}

/** Whether `route` is exactly the header rule the planner makes for `headers` from the owned route. */
function isPlannedRule(live: VirtualService, routing: CanaryRouting, headers: Record<string, unknown>) {
  return (route: HttpRoute): boolean => {
    try {
      const { liveIndex, template, owned } = ownedAtBaseline(live, routing);
      return jsonEqual(route, buildHeaderRule(live, liveIndex, owned, routing.canaryName, headers, canaryDestination(template, routing.target)));
    } catch (e) {
      if (e instanceof InputError) return false; // the plan reports it on its own terms
      throw e;
    }
  };
}

/** What the owned route does in one stage (the same shape as the plan's StageRouting, which istio/ cannot import). */
export interface OwnedRouteEdit {
  destinations: { to: 'stable' } | { to: 'canary' } | { to: 'split'; canaryWeight: number };
  /** Mirror this percentage to the canary; absent = no mirror. */
  mirrorPercentage?: number;
  /** Insert the header rule with these cohort headers; absent = no header rule. */
  headers?: Record<string, unknown>;
}

/** The baseline with one stage's routing on the owned route (and the header rule before it). */
export function applyRouting(base: Baseline, routing: CanaryRouting, stage: OwnedRouteEdit, live: VirtualService): VirtualService {
  const vs = clone(base.virtualService);
  const http = vs.spec.http!;
  const baseOwned = http[base.ownedIndex]!;
  let owned: HttpRoute = { ...baseOwned, route: destinationsFor(base.template, routing.target, stage.destinations) };
  if (stage.mirrorPercentage !== undefined) owned = withMirror(owned, base.template, routing.target, stage.mirrorPercentage);
  http[base.ownedIndex] = owned;
  if (stage.headers === undefined) return vs;
  const built = buildHeaderRule(live, base.liveIndex, baseOwned, routing.canaryName, stage.headers, canaryDestination(base.template, routing.target));
  if (base.checkShadowing) checkNotShadowed(live, base.liveIndex, base.liveHeaderRule, built);
  const { rule, sources } = withoutShadowedBlocks(built, http.slice(0, base.ownedIndex));
  http.splice(base.ownedIndex, 0, rule);
  // A rollback plans the forward stages too, but must never be refused over them.
  if (base.checkShadowing) checkNoNewFindings(base.virtualService.spec.http!, http, base.ownedIndex, sources, { live, liveIndex: base.liveIndex });
  return withHeaderRuleMark(vs, routing.canaryName, rule);
}

function destinationsFor(template: DestinationTemplate, t: CanaryTarget, d: OwnedRouteEdit['destinations']) {
  if (d.to === 'stable') return allToStable(template, t);
  if (d.to === 'canary') return allToCanary(template, t);
  return splitWeights(template, t, d.canaryWeight);
}
