// Planning from live objects, with this canary's state vouching for a header rule written by an
// istio-canary from before the mark: such a rollout must stay readable (abort, advance...) by this one.
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import { planRelease, type PlanOptions } from '../plan/plan.ts';
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import { decodeState } from '../core/state-codec.ts';
import { stateAnnotationKey } from '../core/state.ts';

/** planRelease, taking an unmarked header rule for ours only as PlanOptions.legacyHeaderRuleStage allows. */
export function planLive(spec: CanarySpec, vs: VirtualService, dr: DestinationRule | undefined, options: PlanOptions = {}): Plan {
  const stage = legacyHeaderRuleStage(vs, spec.name);
  return planRelease(spec, vs, dr, stage === undefined ? options : { ...options, legacyHeaderRuleStage: stage });
}

/** No rollout of this canary is recorded on the VirtualService (not even a damaged record): a first run. */
export function unrecorded(vs: VirtualService, canaryName: string): boolean {
  return vs.metadata.annotations?.[stateAnnotationKey(canaryName)] === undefined;
}

/**
 * The stage index this canary's state records as current when its record says the header rule is on:
 * a rollout in progress or paused, at a stage, whose latest stage record has the rule. Undefined
 * otherwise, and for a damaged state (the commands report that on their own).
 */
export function legacyHeaderRuleStage(vs: VirtualService, canaryName: string): number | undefined {
  let state: ReturnType<typeof decodeState>;
  try {
    state = decodeState(vs, stateAnnotationKey(canaryName));
  } catch {
    return undefined;
  }
  if (!state || state.canary !== canaryName || (state.status !== 'in-progress' && state.status !== 'paused') || state.stageIndex < 0) return undefined;
  return state.history.at(-1)?.headerRule === true ? state.stageIndex : undefined;
}
