// The first lines of a report: what happened, in plain words, with the number that decided it.
import type { CheckVerdict } from '../analysis/types.ts';
import type { RolloutState, StageRecord } from '../core/state.ts';
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import { clip, escapeInline } from './escape.ts';
import { comparisonText, verdictEvidence } from './evidence.ts';

export interface Headline {
  /** One line, markdown-safe: icon, verdict, where, and the deciding number. */
  title: string;
  /** The evidence behind the deciding number (escaped), when there is one. */
  evidence?: string;
}

const MAX_REASON = 300;

/** Where a stage sends traffic, in words: `50 %`, `mirror 100 %`, `dark launch`. */
export function trafficText(t: { canaryWeight: number; mirrorPercentage: number; headerRule: boolean }): string {
  if (t.canaryWeight > 0) return `${t.canaryWeight} %`;
  if (t.mirrorPercentage > 0) return `mirror ${t.mirrorPercentage} %`;
  if (t.headerRule) return 'dark launch';
  return '0 %';
}

/** The record of the stage the release was at: the newest one that is not the rollback or promotion. */
function lastStage(state: RolloutState): StageRecord | undefined {
  return state.history.findLast((r) => r.result !== 'rolled-back' && r.result !== 'promoted');
}

/** The verdict that decided, or best describes, a record: its first failure, else the first check of its latest evaluation. */
function decidingVerdict(record: StageRecord | undefined): { verdict: CheckVerdict; failed: boolean } | undefined {
  const evaluations = record?.evaluations ?? [];
  const failing = evaluations.findLast((e) => e.decision === 'fail')?.verdicts.find((v) => v.status === 'fail');
  if (failing) return { verdict: failing, failed: true };
  const latest = evaluations.at(-1)?.verdicts[0];
  return latest ? { verdict: latest, failed: false } : undefined;
}

export function headline(spec: CanarySpec, state: RolloutState, plan: Plan | undefined): Headline {
  const record = lastStage(state);
  const decided = decidingVerdict(record ?? state.history.findLast((r) => r.evaluations.length > 0));
  const checkOf = (v: CheckVerdict) => spec.analysis?.checks.find((c) => c.name === v.check);
  const number = decided ? `${escapeInline(decided.verdict.check)} ${escapeInline(comparisonText(decided.verdict, checkOf(decided.verdict)))}` : undefined;
  const evidence = decided ? escapeInline(clip(verdictEvidence(decided.verdict), MAX_REASON)) : undefined;
  const canary = escapeInline(spec.canary.subset);
  switch (state.status) {
    case 'rolled-back': {
      // `status` with nothing recorded shows the routing as it is: no release, all on stable.
      if (state.history.length === 0) return { title: `No release of ${canary} under way: all traffic on ${escapeInline(spec.stable.subset)}`, ...(state.reason ? { evidence: escapeInline(clip(state.reason, MAX_REASON)) } : {}) };
      const at = record ? ` at ${trafficText(record)}` : '';
      if (decided?.failed) return { title: `↩️ Rolled back${at}: ${number}`, evidence };
      const reason = state.reason ? `: ${escapeInline(clip(state.reason, MAX_REASON))}` : '';
      return { title: `↩️ Rolled back${at}${reason}` };
    }
    case 'promoted':
      return { title: `✅ Promoted: all traffic on ${canary}${number ? `; last gate ${number}` : ''}`, evidence };
    case 'paused': {
      const at = record ? ` at ${trafficText(record)}` : '';
      return { title: `⏸️ Paused${at}: waiting for advance or promote${number ? `; ${number}` : ''}`, evidence };
    }
    case 'in-progress': {
      const stage = plan?.stages[state.stageIndex];
      // `status` with nothing recorded and owned routes at different stages: no stage to name, the reason says why.
      if (!stage && !record && state.history.length === 0 && state.reason) {
        return { title: `🔄 A release of ${canary} is under way, at no one stage`, evidence: escapeInline(clip(state.reason, MAX_REASON)) };
      }
      const traffic = stage ? trafficText(stage.traffic) : record ? trafficText(record) : 'not started';
      const id = stage?.id ?? record?.stage;
      return { title: `🔄 Releasing ${canary}: ${traffic}${id ? ` (stage ${escapeInline(id)})` : ''}${number ? `; ${number}` : ''}`, evidence };
    }
  }
}
