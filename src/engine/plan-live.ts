// Planning from live objects, with this canary's state vouching for a header rule written by an
// istio-canary from before the mark: such a rollout must stay readable (abort, advance...) by this one.
import type { Plan, PlanOptions, RoutingObject } from '../plan/types.ts';
import { planWith } from '../routing/plan.ts';
import { backendFor } from '../routing/registry.ts';
import type { CanarySpec } from '../spec/types.ts';
import { decodeState } from '../core/state-codec.ts';
import { stateAnnotationKey } from '../core/state.ts';
import { refKey, refOf } from '../plan/objects.ts';

/** The plan of the spec's backend, taking an unmarked header rule for ours only as PlanOptions.legacyHeaderRuleStage allows. */
export function planLive(spec: CanarySpec, live: readonly RoutingObject[], options: PlanOptions = {}): Plan {
  const backend = backendFor(spec);
  const stateKey = refKey(backend.stateObject(spec));
  const holder = live.find((o) => refKey(refOf(o, spec.namespace)) === stateKey);
  const stage = holder && legacyHeaderRuleStage(holder, spec.name);
  return planWith(backend, spec, live, stage === undefined ? options : { ...options, legacyHeaderRuleStage: stage });
}

/** No rollout of this canary is recorded on the object carrying the state (not even a damaged record): a first run. */
export function unrecorded(stateObject: RoutingObject, canaryName: string): boolean {
  return stateObject.metadata.annotations?.[stateAnnotationKey(canaryName)] === undefined;
}

/**
 * The stage index this canary's state records as current when its record says the header rule is on:
 * a rollout in progress or paused, at a stage, whose latest stage record has the rule. Undefined
 * otherwise, and for a damaged state (the commands report that on their own).
 */
export function legacyHeaderRuleStage(holder: RoutingObject, canaryName: string): number | undefined {
  let state: ReturnType<typeof decodeState>;
  try {
    state = decodeState(holder, stateAnnotationKey(canaryName));
  } catch {
    return undefined;
  }
  if (!state || state.canary !== canaryName || (state.status !== 'in-progress' && state.status !== 'paused') || state.stageIndex < 0) return undefined;
  return state.history.at(-1)?.headerRule === true ? state.stageIndex : undefined;
}
