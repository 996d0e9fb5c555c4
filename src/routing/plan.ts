// planRelease for any backend: (spec, live objects) → every stage as an ordered list of object
// operations (make before break), promotion and rollback. Pure: the engine applies it.
import { clone } from '../istio/clone.ts';
import { detectStage } from '../plan/detect.ts';
import { operationsBetween } from '../plan/operations.ts';
import { checkSpecForPlan } from '../plan/spec-checks.ts';
import { stageId } from '../plan/stage-id.ts';
import { PROMOTED, ROLLBACK, routingAt, type RoutingAt } from '../plan/stage-routing.ts';
import { promotedSummary, rollbackSummary, stageSummary } from '../plan/summary.ts';
import { ownedLabels, refKey, refOf, type ObjectRef } from '../plan/objects.ts';
import { stageObjects, type Plan, type PlannedStage, type PlanOptions, type RoutingObject } from '../plan/types.ts';
import type { CanarySpec, StageSpec } from '../spec/types.ts';
import type { RoutingBackend } from './backend.ts';

type StageFields = Pick<PlannedStage, 'index' | 'id' | 'kind' | 'summary'> & { spec?: StageSpec };

export function planWith<Base>(backend: RoutingBackend<Base>, spec: CanarySpec, live: readonly RoutingObject[], options: PlanOptions = {}): Plan {
  checkSpecForPlan(spec);
  const stripped = backend.strip(spec, live, options);
  const liveByRef = new Map(live.map((o) => [refKey(refOf(o, spec.namespace)), o]));
  const tolerant = options.tolerateExistingProblems === true;

  const planned = (at: RoutingAt, from: RoutingObject[], fields: StageFields): PlannedStage => {
    const objects = backend.apply(spec, stripped, at.routing);
    for (const o of objects) backend.validate(o, tolerant ? liveByRef.get(refKey(refOf(o, spec.namespace))) : undefined);
    const notes = backend.stageNotes?.(spec, stripped, at.routing) ?? [];
    // Each stage owns its objects, so a caller annotating one stage's object cannot change another's.
    return { ...fields, traffic: at.traffic, operations: operationsBetween(from, objects.map(clone), backend.links, leftBehind(spec, from, objects)), ...(notes.length ? { notes } : {}) };
  };

  const routings = spec.stages.map((_, index) => routingAt(spec.stages, index));
  const stages: PlannedStage[] = [];
  spec.stages.forEach((stageSpec, index) => {
    const at = routings[index]!;
    const fields = { index, id: stageId(index, stageSpec), kind: stageSpec.kind, summary: stageSummary(spec, stageSpec, at.traffic), spec: stageSpec };
    stages.push(planned(at, objectsOf(stages.at(-1)) ?? stripped.before, fields));
  });
  const liveTraffic = backend.readTraffic(spec, stripped);
  return {
    stages,
    promoted: planned(PROMOTED, objectsOf(stages.at(-1)) ?? stripped.before, { index: -1, id: 'promoted', kind: 'promoted', summary: promotedSummary(spec) }),
    // Reachable from any stage; its operations are listed against the baseline so they also cover "nothing applied yet".
    rollback: planned(ROLLBACK, stripped.before, { index: -1, id: 'rollback', kind: 'rollback', summary: rollbackSummary(spec) }),
    baseline: stripped.baseline,
    stateObject: backend.stateObject(spec),
    ...detectStage(liveTraffic, routings.map((at) => ({ traffic: at.traffic, shape: at.routing.destinations.to === 'split' ? 'split' : 'stable' }))),
    liveTraffic,
    ...(stripped.routes ? { routes: stripped.routes } : {}),
    ...(stripped.legacyHeaderRule ? { legacyHeaderRule: true } : {}),
    ...(stripped.notes?.length ? { notes: stripped.notes } : {}),
    ...(options.unchecked?.length ? { unchecked: options.unchecked } : {}),
  };
}

/** Objects this canary created (its labels) that the stage no longer has: deleted, after what used them. */
function leftBehind(spec: CanarySpec, from: readonly RoutingObject[], to: readonly RoutingObject[]): ObjectRef[] {
  const kept = new Set(to.map((o) => refKey(refOf(o, spec.namespace))));
  const ours = (o: RoutingObject) => Object.entries(ownedLabels(spec.name)).every(([k, v]) => o.metadata.labels?.[k] === v);
  return from.filter((o) => ours(o) && !kept.has(refKey(refOf(o, spec.namespace)))).map((o) => refOf(o, spec.namespace));
}

const objectsOf = (stage: PlannedStage | undefined): RoutingObject[] | undefined => stage && stageObjects(stage);
