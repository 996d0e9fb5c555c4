// Evaluations of the stage a run drives, kept in memory and written with the stage's verdict (the
// write that enters the next stage, pauses, promotes or rolls back), so evaluating does not
// rewrite the routing object. A run that dies loses them; the next one re-judges the stage's past
// intervals from the metrics (see rejudgePast in judge-stage.ts).
import type { Evaluation, RolloutState } from '../core/state.ts';
import type { Session } from './context.ts';

export interface PendingEvaluations {
  /** The stage record they belong to (its id and start). */
  stage: string;
  startedAt: string;
  evaluations: Evaluation[];
}

/** `state` with the pending evaluations added to its open record, when they belong to it. */
export function withPending(state: RolloutState, pending: PendingEvaluations | undefined): RolloutState {
  const last = state.history.at(-1);
  if (!pending || !last || last.endedAt || last.stage !== pending.stage || last.startedAt !== pending.startedAt) return state;
  const seen = new Set(last.evaluations.map((e) => e.at));
  const added = pending.evaluations.filter((e) => !seen.has(e.at));
  if (added.length === 0) return state;
  return { ...state, history: [...state.history.slice(0, -1), { ...last, evaluations: [...last.evaluations, ...added] }] };
}

/** Keeps an evaluation of the current stage until its verdict is written. */
export function addPending(session: Session, evaluation: Evaluation): void {
  const last = session.state!.history.at(-1)!;
  const same = session.pending?.stage === last.stage && session.pending.startedAt === last.startedAt;
  if (!same) session.pending = { stage: last.stage, startedAt: last.startedAt, evaluations: [] };
  session.pending!.evaluations.push(evaluation);
}

/** What people see of the run's state: recorded plus pending evaluations, and this run as holder while it holds. */
export function shownState(session: Session, state: RolloutState): RolloutState {
  const shown = withPending(state, session.pending);
  if (!session.holding || state.holder) return shown;
  const { id, runUrl } = session.ctx.holder;
  return { ...shown, holder: { id, ...(runUrl ? { runUrl } : {}), renewedAt: new Date(session.renewedAt).toISOString() } };
}
