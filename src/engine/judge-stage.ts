// One evaluation of a stage's checks: query, log every verdict, decide with all evaluations of the
// stage so far, and record it in the state (which also renews the holder). Counted checks are judged
// on everything since the stage started (their test is sequential: see analysis/sequential.ts);
// custom checks on the window they are given. A quick look between the recorded ones judges only the
// counted checks, and is recorded only when it fails the stage.
import { cohortOf, promqlDuration, queryVarsFor } from '../analysis/cohort.ts';
import { explainStageDecision, type StageMoment } from '../analysis/decide.ts';
import { evaluateChecks } from '../analysis/evaluate.ts';
import { formatValue } from '../analysis/format.ts';
import type { CheckVerdict, StageDecision } from '../analysis/types.ts';
import type { Session } from './context.ts';
import type { Evaluation } from '../core/state.ts';
import { publish } from './result.ts';
import { addEvaluation } from '../core/transitions.ts';
import { writeStage } from './write-stage.ts';

export interface Judgement {
  decision: StageDecision;
  /** Why, when the decision is fail or hold. */
  reason: string;
}

/** Query windows are whole seconds, at least one. */
export function windowOf(ms: number): number {
  return Math.max(1000, Math.floor(ms / 1000) * 1000);
}

/** The queries' answer, or the signal's reason as soon as it is aborted: a hung Prometheus (timeout
 * and retries take half a minute) must not hold up the rollback a cancellation asks for. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {}); // once abandoned, its late failure must not become an unhandled rejection
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function evaluate(session: Session, index: number, windowMs: number, moment: StageMoment, quick: boolean): Promise<CheckVerdict[]> {
  const { ctx } = session;
  const stage = session.plan!.stages[index]!;
  const sinceStart = windowOf(ctx.clock.now() - Date.parse(session.state!.stageStartedAt));
  const evaluation = evaluateChecks(ctx.spec.analysis!, cohortOf(stage.spec!), queryVarsFor(ctx.spec, windowOf(windowMs)), ctx.metrics, {
    final: moment.final,
    quick,
    countedWindow: promqlDuration(sinceStart),
    stableTrafficExpected: stage.spec!.kind === 'weight' && stage.spec!.weight > 0 && stage.spec!.weight < 100,
  });
  return untilAborted(evaluation, ctx.signal);
}

/** Logs, decides, records and publishes one evaluation's verdicts. */
async function conclude(session: Session, index: number, verdicts: CheckVerdict[], moment: StageMoment, kind: string): Promise<Judgement> {
  const { ctx } = session;
  const analysis = ctx.spec.analysis!;
  const stage = session.plan!.stages[index]!;
  for (const v of verdicts) {
    const line = `${ctx.spec.name} ${stage.id} ${kind}: ${v.check} ${v.status}: value ${formatValue(v.value)}, threshold ${v.threshold} (${v.evidence?.summary ?? v.reason})`;
    if (v.status === 'fail') ctx.log.warning(line);
    else ctx.log.info(line);
  }
  const previous = (session.state?.history.at(-1)?.evaluations ?? []).map((e) => e.verdicts);
  const explained = explainStageDecision(analysis, [...previous, verdicts], moment);
  // A hold past its limit is a failure, whatever the decision function says.
  const decision: StageDecision = explained.decision === 'hold' && moment.holdExpired ? 'fail' : explained.decision;
  // The decision's reasons, plus what the failing checks measured this time.
  const measured = verdicts.filter((v) => v.status === 'fail').map((v) => `${v.check}: ${v.evidence?.summary ?? v.reason}`);
  const reason = [...explained.reasons, ...measured].join('; ') || (decision === 'fail' ? 'the hold expired' : '');
  const record: Evaluation = { at: new Date(ctx.clock.now()).toISOString(), decision, verdicts };
  if (explained.reasons.length > 0) record.reasons = explained.reasons;
  await writeStage(session, {
    pick: (plan) => plan.stages[index]!,
    change: (prev) => addEvaluation(prev!, record),
    release: false,
    expectCurrent: true,
    signal: ctx.signal,
  });
  if (decision !== 'continue') ctx.log.info(`${ctx.spec.name} ${stage.id}: ${decision}: ${reason}`);
  if (decision === 'fail') {
    // The checks that failed the gate; a hold that expired fails on the checks still without data.
    const failing = verdicts.filter((v) => v.status === 'fail');
    for (const v of failing.length > 0 ? failing : verdicts.filter((v) => v.status !== 'pass')) {
      ctx.log.event?.({ kind: 'gate-failed', stage: stage.id, check: v.check, ...(v.value !== undefined ? { value: v.value } : {}), threshold: v.threshold, reason: v.reason });
    }
  }
  await publish(session);
  return { decision, reason: `stage ${stage.id}: ${reason}` };
}

export async function judgeStage(session: Session, index: number, windowMs: number, moment: StageMoment): Promise<Judgement> {
  const verdicts = await evaluate(session, index, windowMs, moment, false);
  return conclude(session, index, verdicts, moment, moment.final ? 'final' : 'interim');
}

/** A look between the recorded ones: the counted checks' always-valid tests on everything since the
 * stage started. Nothing is written unless one of them fails; then it is recorded and decided as an interim. */
export async function quickLook(session: Session, index: number): Promise<Judgement | undefined> {
  const moment = { final: false, holdExpired: false };
  const verdicts = await evaluate(session, index, session.ctx.spec.analysis!.interval, moment, true);
  if (!verdicts.some((v) => v.status === 'fail')) return undefined;
  return conclude(session, index, verdicts, moment, 'quick look');
}
