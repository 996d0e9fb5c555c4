// Istio's VirtualService + DestinationRule as a routing backend: the DestinationRule gets the stable
// and canary subsets, the owned route of the VirtualService gets the stage's weights, mirror and header
// rule, and the rollout state rides on the VirtualService. The edits themselves are the pure ones of
// src/istio/; this wraps them in the backend interface.
import { InputError } from '../../errors.ts';
import { clone } from '../../istio/clone.ts';
import { withCanarySubsets } from '../../istio/destination-rule.ts';
import { checkSubsetsVisible } from '../../istio/export-to.ts';
import { headerRuleMarkKey, headerRuleName } from '../../istio/header-rule.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import { readLiveTraffic } from '../../istio/read-traffic.ts';
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
  destinationRule: DestinationRule;
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
    return [clone(base.destinationRule), virtualService];
  },
  readTraffic: (_spec, { base }) => readLiveTraffic(base.live, base.stripped.liveIndex, base.stripped.liveHeaderRule !== undefined, base.routing.target),
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
  const withSubsets = withCanarySubsets(liveDestinationRule, { name: spec.destinationRule, namespace: spec.namespace, host: spec.host, stable: spec.stable, canary: spec.canary });
  // A DestinationRule the release creates is ours: labelled so it can be found again.
  const destinationRule = liveDestinationRule ? withSubsets : { ...withSubsets, metadata: { ...withSubsets.metadata, labels: ownedLabels(spec.name) } };
  virtualServiceBackend.validate(destinationRule, tolerant ? liveDestinationRule : undefined);
  checkSubsetsVisible(liveVirtualService, destinationRule, spec.namespace);
  return {
    base: { stripped, routing, live: liveVirtualService, destinationRule },
    baseline: [liveDestinationRule ?? destinationRule, stripped.virtualService],
    before: liveDestinationRule ? [liveDestinationRule, stripped.virtualService] : [stripped.virtualService],
    ...(stripped.legacyHeaderRule ? { legacyHeaderRule: true } : {}),
  };
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
    target: { host: spec.host, stableSubset: spec.stable.subset, canarySubset: spec.canary.subset },
  };
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
