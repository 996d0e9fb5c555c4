// Istio's VirtualService + DestinationRule as a routing backend: the DestinationRule gets the stable
// and canary subsets (none is needed when each version is its own Service), every owned route of the
// VirtualService gets the stage's weights, mirror and header rule, and the rollout state rides on the
// VirtualService. The edits themselves are the pure ones of src/istio/; this wraps them in the backend
// interface.
import { InputError } from '../../errors.ts';
import { clone } from '../../istio/clone.ts';
import { withCanarySubsets } from '../../istio/destination-rule.ts';
import { checkSubsetsVisible } from '../../istio/export-to.ts';
import { headerRuleMarkKey, headerRuleName } from '../../istio/header-rule.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import type { CanaryTarget } from '../../istio/destinations.ts';
import { readLiveTraffic, type LiveTraffic } from '../../istio/read-traffic.ts';
import type { DestinationRule, VirtualService } from '../../istio/types.ts';
import { assertNoNewProblems, assertValidInput, assertValidProduced } from '../../istio/validate.ts';
import { applyRouting, stripCanary, type Baseline, type CanaryRouting } from '../../istio/virtual-service.ts';
import { describeRef, ownedLabels } from '../../plan/objects.ts';
import { routingAt } from '../../plan/stage-routing.ts';
import type { PlanOptions, RoutingObject } from '../../plan/types.ts';
import { shortPath, TOO_DEEP, tooDeep } from '../../spec/depth.ts';
import type { CanarySpec } from '../../spec/types.ts';
import type { RoutingBackend, Stripped } from '../backend.ts';
import { subsetLinks } from './links.ts';
import { findDestinationRule, findVirtualService, istioRef, virtualServiceOf } from './objects.ts';

interface Base {
  stripped: Baseline;
  routing: CanaryRouting;
  live: VirtualService;
  /** Absent when each version is its own Service and there is no DestinationRule. */
  destinationRule?: DestinationRule;
}

const vsRef = (spec: CanarySpec) => istioRef('VirtualService', spec.namespace, spec.virtualService);

type Checked = VirtualService | DestinationRule;

export const virtualServiceBackend: RoutingBackend<Base> = {
  name: 'VirtualService',
  reads: (spec) => [
    {
      ref: vsRef(spec),
      ifMissing: { file: spec.source.file, path: 'spec.virtualService', message: `${describeRef(vsRef(spec))} does not exist: create it first (istio-canary edits an existing VirtualService)` },
    },
    { ref: istioRef('DestinationRule', spec.namespace, spec.destinationRule) },
  ],
  stateObject: vsRef,
  strip,
  apply: (_spec, { base }, stage) => {
    const virtualService = applyRouting(base.stripped, base.routing, stage, base.live);
    return base.destinationRule ? [clone(base.destinationRule), virtualService] : [virtualService];
  },
  readTraffic: (_spec, { base }) => liveTrafficOf(base.live, base.stripped, base.routing.target),
  validate: (produced, live) => (live ? assertNoNewProblems(live as Checked, produced as Checked) : assertValidProduced(produced as Checked)),
  links: subsetLinks,
  versionLabels: (live, _spec, subset) => findDestinationRule(live)?.spec.subsets?.find((s) => s.name === subset)?.labels,
  legacyRuleNote: (spec, stage) => {
    const kept = virtualServiceOf(stage).metadata.annotations?.[headerRuleMarkKey(spec.name)] !== undefined;
    const done = kept ? `added its mark (annotation ${headerRuleMarkKey(spec.name)})` : 'removed it';
    return `${describeRef(vsRef(spec))}: the header rule '${headerRuleName(spec.name)}' had no mark (written by an older istio-canary); it is exactly the rule of the stage this canary's state records, so it was taken as ours and this write ${done}`;
  },
};

function strip(spec: CanarySpec, live: readonly RoutingObject[], options: PlanOptions): Stripped<Base> {
  // The first object stands for the VirtualService when none has that kind: its kind is then refused by name.
  const liveVS = findVirtualService(live) ?? (live[0] as VirtualService | undefined);
  if (!liveVS) throw new InputError({ file: spec.source.file, path: 'spec.virtualService', message: `no VirtualService given to plan ${spec.name} against` });
  const liveDR = findDestinationRule(live.filter((o) => o !== liveVS));
  checkIdentity(spec, liveVS, liveDR);
  // Manifests from files often omit the namespace; the spec's is where they live.
  const liveVirtualService = inNamespace(liveVS, spec.namespace);
  const liveDestinationRule = liveDR && inNamespace(liveDR, spec.namespace);
  const tolerant = options.tolerateExistingProblems === true;
  if (!tolerant) assertValidInput(liveVirtualService);
  if (liveDestinationRule && !tolerant) assertValidInput(liveDestinationRule);

  const routing = canaryRouting(spec);
  const legacyHeaders = legacyHeadersAt(spec, options.legacyHeaderRuleStage);
  const stripped = stripCanary(liveVirtualService, routing, {
    mirrorNeeded: spec.stages.some((s) => s.kind === 'mirror'),
    rollback: tolerant,
    ...(legacyHeaders ? { legacyHeaders } : {}),
  });
  if (options.unrecorded) checkNoSplitInProgress(liveVirtualService, liveTrafficOf(liveVirtualService, stripped, routing.target), spec);
  const destinationRule = withSubsetsFor(spec, liveDestinationRule, liveVirtualService, tolerant);
  const before = liveDestinationRule ? [liveDestinationRule, stripped.virtualService] : [stripped.virtualService];
  return {
    base: { stripped, routing, live: liveVirtualService, ...(destinationRule ? { destinationRule } : {}) },
    baseline: destinationRule && !liveDestinationRule ? [destinationRule, stripped.virtualService] : before,
    before,
    routes: { owned: stripped.owned.map((o) => o.liveIndex), shadowed: stripped.shadowed },
    ...(stripped.legacyHeaderRule ? { legacyHeaderRule: true } : {}),
  };
}

/** The DestinationRule with both subsets; one Service per version needs none, and one that exists is left as it is. */
function withSubsetsFor(spec: CanarySpec, live: DestinationRule | undefined, vs: VirtualService, tolerant: boolean): DestinationRule | undefined {
  if (spec.stable.host !== undefined) return live;
  const withSubsets = withCanarySubsets(live, { name: spec.destinationRule, namespace: spec.namespace, host: spec.host, stable: spec.stable, canary: spec.canary });
  // A DestinationRule the release creates is ours: labelled so it can be found again.
  const destinationRule = live ? withSubsets : { ...withSubsets, metadata: { ...withSubsets.metadata, labels: ownedLabels(spec.name) } };
  virtualServiceBackend.validate(destinationRule, tolerant ? live : undefined);
  checkSubsetsVisible(vs, destinationRule, spec.namespace);
  return destinationRule;
}

function liveTrafficOf(live: VirtualService, stripped: Baseline, target: CanaryTarget): LiveTraffic {
  return readLiveTraffic(live, stripped.owned.map((o) => o.liveIndex), stripped.liveHeaderRules.length, target);
}

/** A split someone else started (no rollout of this canary recorded): name the weights, and how to reset or finish it. */
function checkNoSplitInProgress(vs: VirtualService, live: LiveTraffic, spec: CanarySpec): void {
  const split = (live.routes ?? []).find((r) => r.canaryWeight > 0);
  if (split === undefined) return;
  const stable = `the stable '${spec.stable.subset}'`;
  const canary = `the canary '${spec.canary.subset}'`;
  const weights = split.shape === 'canary' ? `all of it to ${canary}` : `${100 - split.canaryWeight} % to ${stable} and ${split.canaryWeight} % to ${canary}`;
  throw new InputError(objectProblem(vs, `spec.http[${split.index}].route`,
    `the route already splits traffic: ${weights}, and no istio-canary rollout of '${spec.name}' is recorded on the VirtualService, so starting the release would take that traffic off the canary and begin again from its first stage; to reset it, run \`istio-canary abort\` (or set the canary weight to 0) and then start the release; to finish it instead, set the weights by hand`));
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
