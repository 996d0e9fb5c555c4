// planRelease: (spec, live VirtualService, live DestinationRule?) → every stage's desired objects,
// the writes between them (make before break), promotion and rollback. Pure: the engine applies it.
import { InputError } from '../errors.ts';
import { clone, jsonEqual } from '../istio/clone.ts';
import { withCanarySubsets } from '../istio/destination-rule.ts';
import type { CanaryTarget } from '../istio/destinations.ts';
import { checkSubsetsVisible } from '../istio/export-to.ts';
import { objectProblem } from '../istio/object-ref.ts';
import { readLiveTraffic, type LiveTraffic } from '../istio/read-traffic.ts';
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import { assertNoNewProblems, assertValidInput, assertValidProduced } from '../istio/validate.ts';
import { applyRouting, stripCanary, type CanaryRouting } from '../istio/virtual-service.ts';
import type { CanarySpec, StageSpec } from '../spec/types.ts';
import { detectStage } from './detect.ts';
import { checkSpecForPlan } from './spec-checks.ts';
import { shortPath, TOO_DEEP, tooDeep } from '../spec/depth.ts';
import { stageId } from './stage-id.ts';
import { PROMOTED, ROLLBACK, routingAt, type RoutingAt } from './stage-routing.ts';
import { promotedSummary, rollbackSummary, stageSummary } from './summary.ts';
import type { Plan, PlannedStage, PlannedWrite } from './types.ts';

interface Objects {
  virtualService: VirtualService;
  /** Undefined only for "before the release" when the DestinationRule does not exist yet. */
  destinationRule?: DestinationRule;
}

export interface PlanOptions {
  /**
   * For a rollback: problems the live objects already have outside what the canary owns do not
   * stop the plan (the rollback leaves them as they are); only problems it would add do.
   */
  tolerateExistingProblems?: boolean;
  /**
   * Index of the stage this canary's state records as current, given only when the state says that
   * stage has the header rule. A rule written by an istio-canary from before the mark (none on it) is
   * then taken for ours if it is exactly the one planned for that stage; the next write adds the mark.
   */
  legacyHeaderRuleStage?: number;
  /**
   * No rollout of this canary is recorded on the VirtualService (a first run, or `plan` of manifests):
   * routing that already sends traffic to the canary is then someone else's split, not a stage of
   * ours, and starting over from stage 0 would silently take that traffic away. Refused.
   */
  unrecorded?: boolean;
}

export function planRelease(spec: CanarySpec, liveVS: VirtualService, liveDR?: DestinationRule, options: PlanOptions = {}): Plan {
  checkSpecForPlan(spec);
  checkIdentity(spec, liveVS, liveDR);
  // Manifests from files often omit the namespace; the spec's is where they live.
  const liveVirtualService = inNamespace(liveVS, spec.namespace);
  const liveDestinationRule = liveDR && inNamespace(liveDR, spec.namespace);
  const tolerant = options.tolerateExistingProblems === true;
  if (!tolerant) assertValidInput(liveVirtualService);
  if (liveDestinationRule && !tolerant) assertValidInput(liveDestinationRule);
  const assertProduced = <T extends VirtualService | DestinationRule>(produced: T, live: T | undefined) =>
    tolerant && live ? assertNoNewProblems(live, produced) : assertValidProduced(produced);

  const routing = canaryRouting(spec);
  const legacyHeaders = legacyHeadersAt(spec, options.legacyHeaderRuleStage);
  const base = stripCanary(liveVirtualService, routing, {
    mirrorNeeded: spec.stages.some((s) => s.kind === 'mirror'),
    rollback: tolerant,
    ...(legacyHeaders ? { legacyHeaders } : {}),
  });
  // One Service per version needs no subsets: a DestinationRule, if there is one, is left as it is.
  const destinationRule = spec.stable.host !== undefined
    ? liveDestinationRule
    : withCanarySubsets(liveDestinationRule, { name: spec.destinationRule, namespace: spec.namespace, host: spec.host, stable: spec.stable, canary: spec.canary });
  if (destinationRule && destinationRule !== liveDestinationRule) {
    assertProduced(destinationRule, liveDestinationRule);
    checkSubsetsVisible(liveVirtualService, destinationRule, spec.namespace);
  }

  const planned = (at: RoutingAt, from: Objects, fields: Pick<PlannedStage, 'index' | 'id' | 'kind' | 'summary'> & { spec?: StageSpec }): PlannedStage => {
    const virtualService = applyRouting(base, routing, at.routing, liveVirtualService);
    assertProduced(virtualService, liveVirtualService);
    // Each stage owns its objects, so a caller annotating one stage's object cannot change another's.
    const to = { virtualService, ...(destinationRule ? { destinationRule: clone(destinationRule) } : {}) };
    return { ...fields, traffic: at.traffic, ...to, writes: writesBetween(from, to) };
  };

  const owned = base.owned.map((o) => o.liveIndex);
  const liveTraffic = readLiveTraffic(liveVirtualService, owned, base.liveHeaderRules.length, routing.target);
  if (options.unrecorded) checkNoSplitInProgress(liveVirtualService, liveTraffic, spec);
  const before: Objects = { virtualService: base.virtualService, ...(liveDestinationRule ? { destinationRule: liveDestinationRule } : {}) };
  const routings = spec.stages.map((_, index) => routingAt(spec.stages, index));
  const stages: PlannedStage[] = [];
  spec.stages.forEach((stageSpec, index) => {
    const at = routings[index]!;
    const fields = { index, id: stageId(index, stageSpec), kind: stageSpec.kind, summary: stageSummary(spec, stageSpec, at.traffic), spec: stageSpec };
    stages.push(planned(at, stages.at(-1) ?? before, fields));
  });

  return {
    stages,
    promoted: planned(PROMOTED, stages.at(-1) ?? before, { index: -1, id: 'promoted', kind: 'promoted', summary: promotedSummary(spec) }),
    // Reachable from any stage; its writes are listed against the baseline so they also cover "nothing applied yet".
    rollback: planned(ROLLBACK, before, { index: -1, id: 'rollback', kind: 'rollback', summary: rollbackSummary(spec) }),
    baseline: { virtualService: base.virtualService, ...(destinationRule ? { destinationRule: liveDestinationRule ?? destinationRule } : {}) },
    detected: detectStage(liveTraffic, routings.map((at) => ({ traffic: at.traffic, shape: at.routing.destinations.to === 'split' ? 'split' : 'stable' }))),
    liveTraffic,
    routes: { owned, shadowed: base.shadowed },
    ...(base.legacyHeaderRule ? { legacyHeaderRule: true } : {}),
  };
}

/** A split someone else started: name the weights, and how to reset or finish it. */
function checkNoSplitInProgress(vs: VirtualService, live: LiveTraffic, spec: CanarySpec): void {
  const split = live.routes.find((r) => r.canaryWeight > 0);
  if (split === undefined) return;
  const stable = `the stable '${versionName(spec, 'stable')}'`;
  const canary = `the canary '${versionName(spec, 'canary')}'`;
  const weights = split.shape === 'canary' ? `all of it to ${canary}` : `${100 - split.canaryWeight} % to ${stable} and ${split.canaryWeight} % to ${canary}`;
  throw new InputError(objectProblem(vs, `spec.http[${split.index}].route`,
    `the route already splits traffic: ${weights}, and no istio-canary rollout of '${spec.name}' is recorded on the VirtualService, so starting the release would take that traffic off the canary and begin again from its first stage; to reset it, run \`istio-canary abort\` (or set the canary weight to 0) and then start the release; to finish it instead, set the weights by hand`));
}

function versionName(spec: CanarySpec, side: 'stable' | 'canary'): string {
  return spec[side].subset;
}

/** The cohort headers of stage `index`, if it is one of the spec's stages and has the header rule. */
function legacyHeadersAt(spec: CanarySpec, index: number | undefined): Record<string, unknown> | undefined {
  if (index === undefined || !Number.isInteger(index) || index < 0 || index >= spec.stages.length) return undefined;
  return routingAt(spec.stages, index).routing.headers;
}

function canaryRouting(spec: CanarySpec): CanaryRouting {
  return {
    canaryName: spec.name,
    ...(spec.route !== undefined ? { route: spec.route } : {}),
    target: canaryTarget(spec),
  };
}

/** Each version as a route destination: a subset of the spec's host, or (one Service per version) its own host. */
export function canaryTarget(spec: CanarySpec): CanaryTarget {
  const version = (v: CanarySpec['stable']) => (v.host !== undefined ? { host: v.host } : { host: spec.host, subset: v.subset });
  return { stable: version(spec.stable), canary: version(spec.canary) };
}

/** The objects must be the ones the spec names, or the plan would edit the wrong routing. */
function checkIdentity(spec: CanarySpec, vs: VirtualService, dr: DestinationRule | undefined): void {
  // Live objects from a cluster are not parsed here: their depth is checked before any recursion.
  for (const obj of dr ? [vs, dr] : [vs]) {
    const deep = tooDeep(obj);
    if (deep) throw new InputError(objectProblem(obj, shortPath(deep), TOO_DEEP));
  }
  const expectObject = (obj: VirtualService | DestinationRule, kind: string, name: string) => {
    if (obj.kind !== kind) throw new InputError(objectProblem(obj, 'kind', `expected kind ${kind}`));
    if (obj.metadata?.name !== name) throw new InputError(objectProblem(obj, 'metadata.name', `expected the ${kind} '${name}' named in the spec`));
    const ns = obj.metadata.namespace;
    if (ns !== undefined && ns !== spec.namespace) throw new InputError(objectProblem(obj, 'metadata.namespace', `expected namespace '${spec.namespace}' from the spec`));
  };
  expectObject(vs, 'VirtualService', spec.virtualService);
  if (dr) expectObject(dr, 'DestinationRule', spec.destinationRule);
}

function inNamespace<T extends VirtualService | DestinationRule>(obj: T, namespace: string): T {
  return obj.metadata.namespace === undefined ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
}

/** DestinationRule first (a new subset must exist before a route references it), then the VirtualService. */
function writesBetween(from: Objects, to: Objects): PlannedWrite[] {
  const writes: PlannedWrite[] = [];
  if (to.destinationRule && (!from.destinationRule || !jsonEqual(from.destinationRule.spec, to.destinationRule.spec))) writes.push({ kind: 'DestinationRule', settleAfter: true });
  if (!jsonEqual(from.virtualService.spec, to.virtualService.spec)) writes.push({ kind: 'VirtualService', settleAfter: false });
  return writes;
}
