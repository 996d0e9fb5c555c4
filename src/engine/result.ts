// What a command hands back and shows people: the result for the entry points and the published report.
import { renderReport } from '../report/markdown.ts';
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

function markdown(session: Session, state: RolloutState): string {
  const { ctx } = session;
  return renderReport({ spec: ctx.spec, state, plan: session.plan, now: new Date(ctx.clock.now()).toISOString(), links: ctx.reportLinks });
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
    report: markdown(session, state),
    ...(failure !== undefined ? { failure } : {}),
  };
}

/** Publishes the report of the latest state; a failure to publish is a warning, never fatal. */
export async function publish(session: Session): Promise<void> {
  const { ctx } = session;
  if (!ctx.report || !session.state) return;
  try {
    await ctx.report.publish(markdown(session, shownState(session, session.state)));
  } catch (e) {
    ctx.log.warning(`could not publish the report: ${e instanceof Error ? e.message : String(e)}`);
  }
}
