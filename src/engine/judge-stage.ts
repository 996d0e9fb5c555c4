// One evaluation of a stage's checks: query, log every verdict, decide with all evaluations of the
// stage so far, and record it in the state (which also renews the holder).
import { cohortOf, queryVarsFor } from '../analysis/cohort.ts';
import { explainStageDecision, type StageMoment } from '../analysis/decide.ts';
import { evaluateChecks } from '../analysis/evaluate.ts';
import type { CheckVerdict, StageDecision } from '../analysis/types.ts';
import type { AnalysisSpec, StageSpec } from '../spec/types.ts';
import type { Session } from './context.ts';
import { publish } from './result.ts';
import { addEvaluation } from './transitions.ts';
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

/**
 * Bonferroni across the release: the canary-vs-stable test runs at every planned look (interim and
 * final) of every weight stage, and all of them test one hypothesis, "the canary is no worse".
 */
export function looksOf(analysis: AnalysisSpec, stages: readonly StageSpec[]): number {
  const looks = stages.filter((s) => s.kind === 'weight').reduce((sum, s) => sum + Math.ceil(s.bake / analysis.interval), 0);
  return Math.max(1, looks);
}

function formatValue(v: CheckVerdict): string {
  return v.value === undefined ? 'no value' : String(Math.round(v.value * 1000) / 1000);
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

export async function judgeStage(session: Session, index: number, windowMs: number, moment: StageMoment): Promise<Judgement> {
  const { ctx } = session;
  const analysis = ctx.spec.analysis!;
  const stage = session.plan!.stages[index]!;
  const evaluation = evaluateChecks(analysis, cohortOf(stage.spec!), queryVarsFor(ctx.spec, windowOf(windowMs)), ctx.metrics, {
    looks: looksOf(analysis, ctx.spec.stages),
    stableTrafficExpected: stage.spec!.kind === 'weight' && stage.spec!.weight > 0 && stage.spec!.weight < 100,
  });
  const verdicts = await untilAborted(evaluation, ctx.signal);
  const kind = moment.final ? 'final' : 'interim';
  for (const v of verdicts) {
    const line = `${ctx.spec.name} ${stage.id} ${kind}: ${v.check} ${v.status}: value ${formatValue(v)}, threshold ${v.threshold} (${v.reason})`;
    if (v.status === 'fail') ctx.log.warning(line);
    else ctx.log.info(line);
  }
  const previous = (session.state?.history.at(-1)?.evaluations ?? []).map((e) => e.verdicts);
  const explained = explainStageDecision(analysis, [...previous, verdicts], moment);
  // A hold past its limit is a failure, whatever the decision function says.
  const decision: StageDecision = explained.decision === 'hold' && moment.holdExpired ? 'fail' : explained.decision;
  // The decision's reasons, plus what the failing checks measured this time.
  const measured = verdicts.filter((v) => v.status === 'fail').map((v) => `${v.check}: ${v.reason}`);
  const reason = [...explained.reasons, ...measured].join('; ') || (decision === 'fail' ? 'the hold expired' : '');
  const record = { at: new Date(ctx.clock.now()).toISOString(), decision, verdicts };
  await writeStage(session, {
    pick: (plan) => plan.stages[index]!,
    change: (prev) => addEvaluation(prev!, record),
    release: false,
    expectCurrent: true,
    signal: ctx.signal,
  });
  if (decision !== 'continue') ctx.log.info(`${ctx.spec.name} ${stage.id}: ${decision}: ${reason}`);
  await publish(session);
  return { decision, reason: `stage ${stage.id}: ${reason}` };
}
