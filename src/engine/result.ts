// What a command hands back: the result for the entry points, and each new state for the progress port.
import type { EngineResult, Session } from './context.ts';
import type { RolloutState } from '../core/state.ts';
import { shownState } from './pending.ts';

function stageOf(session: Session, state: RolloutState) {
  const plan = session.plan;
  if (!plan) return undefined;
  if (state.status === 'promoted') return plan.promoted;
  if (state.status === 'rolled-back') return plan.rollback;
  return plan.stages[state.stageIndex];
}

/** The command's result from the session's latest state. */
export function resultOf(session: Session, recorded: RolloutState, failure?: string): EngineResult {
  const state = shownState(session, recorded);
  const stage = stageOf(session, state);
  return {
    status: state.status,
    stage: stage?.id ?? (state.status === 'rolled-back' ? 'rollback' : 'unknown'),
    canaryWeight: stage?.traffic.canaryWeight ?? 0,
    state,
    ...(session.plan ? { plan: session.plan } : {}),
    ...(failure !== undefined ? { failure } : {}),
  };
}

/** Hands the latest state to the progress port; a failure to show it is a warning, never fatal.
 * `notInEffect`: the state's rollback is written but the mesh has not put it into effect, and why. */
export async function publish(session: Session, notInEffect?: string): Promise<void> {
  const { ctx } = session;
  if (!ctx.progress || !session.state) return;
  try {
    const view = { spec: ctx.spec, state: shownState(session, session.state), ...(session.plan ? { plan: session.plan } : {}), at: new Date(ctx.clock.now()).toISOString() };
    await ctx.progress.show({ ...view, ...(notInEffect !== undefined ? { notInEffect } : {}) });
  } catch (e) {
    ctx.log.warning(`could not publish the report: ${e instanceof Error ? e.message : String(e)}`);
  }
}
