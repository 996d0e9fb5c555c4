// What a stage's evaluations so far mean for the stage. The engine evaluates every interval during the
// bake (window = interval) and once more at its end (final, window = the whole bake).
//   - a check with >= failureLimit `fail` verdicts in this stage fails it at once (interim ones count);
//   - at the final evaluation, a `fail` verdict fails the stage and a `no-data` verdict applies the
//     check's policy: fail ⇒ fail, pass ⇒ ignored, hold ⇒ hold until the hold has expired, then fail;
//   - interim no-data is neutral: there is more bake time to gather traffic;
//   - strict mode: a final `unproven` verdict (not yet shown within its limit) holds like no-data with
//     the hold policy, and fails once the hold has expired.
import type { AnalysisSpec, CheckSpec, CheckVerdict, StageDecision } from './types.ts';

export interface StageMoment {
  /** This is the evaluation at the end of the bake (or of an extended hold). */
  final: boolean;
  /** A `hold` has already lasted as long as the analysis allows. */
  holdExpired: boolean;
}

export interface ExplainedDecision {
  decision: StageDecision;
  /** One line per check that caused a fail or hold. */
  reasons: string[];
}

function failuresOf(check: CheckSpec, evaluations: CheckVerdict[][]): number {
  return evaluations.filter((round) => round.some((v) => v.check === check.name && v.status === 'fail')).length;
}

function finalOutcome(check: CheckSpec, verdict: CheckVerdict | undefined, holdExpired: boolean): { decision: StageDecision; reason: string } | undefined {
  if (verdict === undefined) return { decision: 'fail', reason: `${check.name}: no verdict in the final evaluation` };
  if (verdict.status === 'fail') return { decision: 'fail', reason: `${check.name}: failed the final evaluation: ${verdict.reason}` };
  if (verdict.status === 'pass') return undefined;
  if (verdict.status === 'unproven') {
    return holdExpired
      ? { decision: 'fail', reason: `${check.name}: not shown within its limit before the hold expired (strict): ${verdict.reason}` }
      : { decision: 'hold', reason: `${check.name}: not yet shown within its limit (strict); holding the stage: ${verdict.reason}` };
  }
  if (check.noData === 'pass') return undefined;
  if (check.noData === 'hold' && !holdExpired) return { decision: 'hold', reason: `${check.name}: no data (${verdict.reason}); holding the stage` };
  const why = check.noData === 'hold' ? 'no data and the hold expired' : 'no data (policy fail)';
  return { decision: 'fail', reason: `${check.name}: ${why}: ${verdict.reason}` };
}

/** The decision with the reasons behind it. `evaluations` holds every evaluation of this stage, oldest first. */
export function explainStageDecision(analysis: AnalysisSpec, evaluations: CheckVerdict[][], moment: StageMoment): ExplainedDecision {
  const failed: string[] = [];
  const held: string[] = [];
  for (const check of analysis.checks) {
    const failures = failuresOf(check, evaluations);
    if (failures >= check.failureLimit) {
      failed.push(`${check.name}: failed ${failures} evaluation(s), limit ${check.failureLimit}`);
      continue;
    }
    if (!moment.final) continue;
    const outcome = finalOutcome(check, evaluations.at(-1)?.find((v) => v.check === check.name), moment.holdExpired);
    if (outcome) (outcome.decision === 'fail' ? failed : held).push(outcome.reason);
  }
  if (failed.length > 0) return { decision: 'fail', reasons: failed };
  if (held.length > 0) return { decision: 'hold', reasons: held };
  return { decision: 'continue', reasons: [] };
}

export function decideStage(analysis: AnalysisSpec, evaluations: CheckVerdict[][], moment: StageMoment): StageDecision {
  return explainStageDecision(analysis, evaluations, moment).decision;
}
