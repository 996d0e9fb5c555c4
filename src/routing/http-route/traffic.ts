// The HTTPRoute edits as two steps, like the VirtualService ones: strip this canary's traces from
// the live route (dark-launch rule, canary mirror, canary backend and weights) to get the
// pre-release baseline, then lay one stage's traffic onto that baseline. Every rule the canary
// does not own, and every field and filter of the owned rule it does not manage, is carried over.
import { InputError } from '../../errors.ts';
import type { DestinationShape, LiveTraffic } from '../../istio/read-traffic.ts';
import type { StringMatch } from '../../spec/types.ts';
import { checkDarkLaunchReached } from './dark-launch-reached.ts';
import { buildHeaderRule, findHeaderRule, headerRuleName, withHeaderRuleMark } from './header-rule.ts';
import { canaryMirror, isCanaryMirror, mirrorPercent, withoutCanaryMirror } from './mirror.ts';
import { findOwnedRule, refersTo } from './owned-rule.ts';
import { proveCohortReach, type ReachProof } from './reach.ts';
import { validateHttpRoute } from './validate.ts';
import { HTTP_ROUTE_API_VERSION, type BackendRef, type HTTPRoute, type RouteRule, type ServicePair } from './types.ts';

export interface HttpRouteCanary {
  canaryName: string;
  /** The spec's rule name, if any. */
  rule?: string | number;
  services: ServicePair;
}

/** One stage's traffic, backend-neutral: the cohort header rule, the mirror share, the canary's weight. */
export interface StageTraffic {
  /** Cohort headers of the dark launch (lowercase name → match), when the stage has the rule. */
  headers?: Record<string, StringMatch>;
  /** 0 (no mirror) < p <= 100. */
  mirrorPercentage: number;
  /** 0..100: the canary's share of the owned rule; 100 sends it everything (promotion). */
  canaryWeight: number;
}

export interface Baseline {
  route: HTTPRoute;
  ownedIndex: number;
  /** The stable backendRef as the owned rule has it (weight 1): the template for the canary's. */
  stableRef: BackendRef;
  /** The live route had this canary's dark-launch rule. */
  hadHeaderRule: boolean;
}

function namespaceOf(route: HTTPRoute, services: ServicePair): string {
  return route.metadata.namespace ?? services.namespace;
}

/**
 * The owned rule with the stable Service as its only backend. Weights are always explicit (a lone
 * backend weighs 1, the API server's default), so what is written is what the server stores.
 */
function ownedAtBaseline(rule: RouteRule, services: ServicePair): { rule: RouteRule; stableRef: BackendRef } {
  const refs = rule.backendRefs ?? [];
  const stable = refs.find((b) => refersTo(b, services.stable, services.namespace));
  // Promoted, the rule sends to the canary alone: the stable reference is the canary's, renamed.
  const template = stable ?? { ...refs.find((b) => refersTo(b, services.canary, services.namespace))!, name: services.stable };
  const stableRef = { ...structuredClone(template), weight: 1 };
  // A lone stable backend keeps its weight (any weight > 0 takes everything); a missing one is the default, 1.
  const untouched = stable !== undefined && refs.length === 1 && stable.weight !== 0;
  const backendRefs = untouched ? [{ ...structuredClone(stable), weight: stable.weight ?? 1 }] : [stableRef, ...structuredClone(idleRefs(refs, services))];
  return { rule: { ...withoutCanaryMirror(structuredClone(rule), services), backendRefs }, stableRef };
}

/** Backends of the owned rule that are neither version: held at weight 0 (owned-rule.ts), kept as they are in every stage. */
function idleRefs(refs: readonly BackendRef[], services: ServicePair): BackendRef[] {
  return refs.filter((b) => !refersTo(b, services.stable, services.namespace) && !refersTo(b, services.canary, services.namespace));
}

/** The live route without this canary's traces; the owned rule sends everything to stable. */
export function stripCanary(live: HTTPRoute, canary: HttpRouteCanary, opts: { rollback?: boolean } = {}): Baseline {
  const services = { ...canary.services, namespace: namespaceOf(live, canary.services) };
  const header = findHeaderRule(live, canary.canaryName, opts.rollback ? { canary: services.canary, namespace: services.namespace } : undefined);
  const liveOwned = findOwnedRule(live, { ...(canary.rule === undefined ? {} : { rule: canary.rule }), services, headerRuleName: headerRuleName(canary.canaryName) });
  const { rule: owned, stableRef } = ownedAtBaseline(live.spec.rules![liveOwned]!, services);
  const rules: RouteRule[] = [];
  let ownedIndex = -1;
  live.spec.rules!.forEach((r, i) => {
    if (i === liveOwned) {
      ownedIndex = rules.length;
      rules.push(owned);
    } else if (i !== header) rules.push(structuredClone(r));
  });
  const route = withHeaderRuleMark({ ...structuredClone(live), spec: { ...structuredClone(live.spec), rules } }, canary.canaryName, undefined);
  return { route, ownedIndex, stableRef, hadHeaderRule: header !== undefined };
}

export interface StageRoute {
  route: HTTPRoute;
  /** The proof that the cohort reaches the canary and nobody else (dark-launch stages). */
  reach?: ReachProof;
}

/**
 * The baseline with one stage's traffic laid on; `siblings` are the other routes on `parent`
 * (named in the proof's sentence). InputError when the result is something the API server's schema would refuse, or when
 * Gateway API precedence would not send the cohort (and only the cohort) to the canary.
 */
export function applyStage(baseline: Baseline, canary: HttpRouteCanary, stage: StageTraffic, siblings: readonly HTTPRoute[] = [], parent?: string): StageRoute {
  const out = layStage(baseline, canary, stage, siblings, parent);
  const problems = validateHttpRoute(out.route);
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

function layStage(baseline: Baseline, canary: HttpRouteCanary, stage: StageTraffic, siblings: readonly HTTPRoute[], parent: string | undefined): StageRoute {
  const route = structuredClone(baseline.route);
  route.apiVersion = HTTP_ROUTE_API_VERSION;
  const rules = route.spec.rules!;
  const owned = rules[baseline.ownedIndex]!;
  const canaryRef: BackendRef = { ...structuredClone(baseline.stableRef), name: canary.services.canary };
  const weight = stage.canaryWeight;
  const idle = idleRefs(owned.backendRefs ?? [], { ...canary.services, namespace: namespaceOf(route, canary.services) });
  if (weight >= 100) owned.backendRefs = [canaryRef, ...idle];
  else if (weight > 0) owned.backendRefs = [{ ...structuredClone(baseline.stableRef), weight: 100 - weight }, { ...canaryRef, weight }, ...idle];
  if (stage.mirrorPercentage > 0) {
    const { filters: _filters, port, name, namespace, group, kind } = canaryRef;
    const target = Object.fromEntries(Object.entries({ group, kind, name, namespace, port }).filter(([, v]) => v !== undefined)) as BackendRef;
    owned.filters = [...(owned.filters ?? []), canaryMirror(target, stage.mirrorPercentage)];
  }
  if (stage.headers === undefined || weight >= 100) return { route };
  const header = buildHeaderRule(baseline.route, baseline.ownedIndex, baseline.route.spec.rules![baseline.ownedIndex]!, canary.canaryName, stage.headers, canaryRef);
  rules.splice(baseline.ownedIndex, 0, header);
  const marked = withHeaderRuleMark(route, canary.canaryName, header);
  checkDarkLaunchReached(marked, baseline.ownedIndex, baseline.ownedIndex + 1, siblings);
  return { route: marked, reach: proveCohortReach(marked, baseline.ownedIndex, baseline.ownedIndex + 1, siblings, parent) };
}

/** What the live route does for this canary, read from the routing itself. */
export function readTraffic(live: HTTPRoute, canary: HttpRouteCanary): LiveTraffic {
  const services = { ...canary.services, namespace: namespaceOf(live, canary.services) };
  const header = findHeaderRule(live, canary.canaryName);
  const index = findOwnedRule(live, { ...(canary.rule === undefined ? {} : { rule: canary.rule }), services, headerRuleName: headerRuleName(canary.canaryName) });
  const rule = live.spec.rules![index]!;
  const refs = (rule.backendRefs ?? []).filter((b) => (b.weight ?? 1) > 0);
  const weightOf = (name: string) => refs.filter((b) => refersTo(b, name, services.namespace)).reduce((n, b) => n + (b.weight ?? 1), 0);
  const total = refs.reduce((n, b) => n + (b.weight ?? 1), 0);
  const canaryShare = total > 0 ? Math.round((100 * weightOf(services.canary)) / total) : 0;
  const shape: DestinationShape = canaryShare === 0 ? 'stable' : canaryShare === 100 ? 'canary' : 'split';
  const mirror = (rule.filters ?? []).find((f) => isCanaryMirror(f, services));
  return { shape, canaryWeight: canaryShare, mirrorPercentage: mirror ? mirrorPercent(mirror) : 0, headerRule: header !== undefined };
}
