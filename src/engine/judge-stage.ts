// One evaluation of a stage's checks: query, log every verdict, decide with all evaluations of the
// stage so far, and keep it with the stage's pending evaluations (written with the stage's verdict:
// pending.ts), after checking that the routing is still the stage's. Counted checks are judged on
// everything since the stage started (their test is sequential: see analysis/sequential.ts); custom
// checks on the window they are given. A quick look between the recorded ones judges only the
// counted checks, and is kept only when it fails the stage. A stage this command did not watch from
// its start is re-judged at each past interval from the metrics as they were then, so a resumed run
// counts the same failures (failureLimit) as one that never stopped.
import { cohortOf, promqlDuration, queryVarsFor } from '../analysis/cohort.ts';
import { explainStageDecision, type StageMoment } from '../analysis/decide.ts';
import { evaluateChecks } from '../analysis/evaluate.ts';
import { formatValue } from '../analysis/format.ts';
import type { CheckVerdict, StageDecision } from '../analysis/types.ts';
import type { Session } from './context.ts';
import type { Evaluation } from '../core/state.ts';
import { addPending, withPending } from './pending.ts';
import { publish } from './result.ts';
import { touch } from './steps.ts';

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

/** The checks' verdicts now, or (`at`, a past moment) as the metrics were then. */
async function evaluate(session: Session, index: number, windowMs: number, moment: StageMoment, quick: boolean, at?: number): Promise<CheckVerdict[]> {
  const { ctx } = session;
  const stage = session.plan!.stages[index]!;
  const sinceStart = windowOf((at ?? ctx.clock.now()) - Date.parse(session.state!.stageStartedAt));
  const metrics = at === undefined ? ctx.metrics : ctx.metrics.at!(at);
  const evaluation = evaluateChecks(ctx.spec.analysis!, cohortOf(stage.spec!), queryVarsFor(ctx.spec, windowOf(windowMs)), metrics, {
    final: moment.final,
    quick,
    countedWindow: promqlDuration(sinceStart),
    stableTrafficExpected: stage.spec!.kind === 'weight' && stage.spec!.weight > 0 && stage.spec!.weight < 100,
  });
  return untilAborted(evaluation, ctx.signal);
}

/** Logs, decides, keeps and publishes one evaluation's verdicts. `at`: a past moment re-judged (the
 * routing was checked when this command started: no check per past interval). */
async function conclude(session: Session, index: number, verdicts: CheckVerdict[], moment: StageMoment, kind: string, at?: number): Promise<Judgement> {
  const { ctx } = session;
  const analysis = ctx.spec.analysis!;
  const stage = session.plan!.stages[index]!;
  for (const v of verdicts) {
    const line = `${ctx.spec.name} ${stage.id} ${kind}: ${v.check} ${v.status}: value ${formatValue(v.value)}, threshold ${v.threshold} (${v.evidence?.summary ?? v.reason})`;
    if (v.status === 'fail') ctx.log.warning(line);
    else ctx.log.info(line);
  }
  const previous = (withPending(session.state!, session.pending).history.at(-1)?.evaluations ?? []).map((e) => e.verdicts);
  const explained = explainStageDecision(analysis, [...previous, verdicts], moment);
  // A hold past its limit is a failure, whatever the decision function says.
  const decision: StageDecision = explained.decision === 'hold' && moment.holdExpired ? 'fail' : explained.decision;
  // The decision's reasons, plus what the failing checks measured this time.
  const measured = verdicts.filter((v) => v.status === 'fail').map((v) => `${v.check}: ${v.evidence?.summary ?? v.reason}`);
  const reason = [...explained.reasons, ...measured].join('; ') || (decision === 'fail' ? 'the hold expired' : '');
  const record: Evaluation = { at: new Date(at ?? ctx.clock.now()).toISOString(), decision, verdicts };
  if (explained.reasons.length > 0) record.reasons = explained.reasons;
  // The metrics judge the stage only while its routing is in place (and this run drives it).
  if (at === undefined) await touch(session, index, false);
  addPending(session, record);
  if (decision !== 'continue') ctx.log.info(`${ctx.spec.name} ${stage.id}: ${decision}: ${reason}`);
  if (decision === 'fail') {
    // The checks that failed the gate; a hold that expired fails on the checks still without data.
    const failing = verdicts.filter((v) => v.status === 'fail');
    for (const v of failing.length > 0 ? failing : verdicts.filter((v) => v.status !== 'pass')) {
      ctx.log.event?.({ kind: 'gate-failed', stage: stage.id, check: v.check, ...(v.value !== undefined ? { value: v.value } : {}), threshold: v.threshold, reason: v.reason });
    }
  }
  if (at === undefined) await publish(session);
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

/** Re-judges the interim evaluations this command missed: every interval boundary of the bake after
 * the last evaluation recorded (or kept) and before now, with the metrics as of that boundary. The
 * failures found count towards failureLimit like the ones a run that never stopped would have seen.
 * Without a metrics backend that answers for past moments, nothing is re-judged. */
export async function rejudgePast(session: Session, index: number): Promise<Judgement | undefined> {
  const { ctx } = session;
  const analysis = ctx.spec.analysis;
  if (!analysis || analysis.checks.length === 0 || !ctx.metrics.at) return undefined;
  const start = Date.parse(session.state!.stageStartedAt);
  const end = Math.min(start + session.plan!.stages[index]!.spec!.bake, ctx.clock.now());
  const last = withPending(session.state!, session.pending).history.at(-1)?.evaluations.at(-1);
  const lastAt = Date.parse(last?.at ?? '') || start;
  const moment = { final: false, holdExpired: false };
  for (let t = start + analysis.interval * (Math.floor((lastAt - start) / analysis.interval) + 1); t < end; t += analysis.interval) {
    const verdicts = await evaluate(session, index, analysis.interval, moment, false, t);
    const judged = await conclude(session, index, verdicts, moment, 're-judged interim', t);
    if (judged.decision === 'fail') return judged;
  }
  return undefined;
}
