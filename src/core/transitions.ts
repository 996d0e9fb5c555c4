// Pure changes of the rollout state, one per transition. Each takes the state just read from the
// cluster (so a retried write never loses another record) and returns the next one.
import type { PlannedStage } from '../plan/types.ts';
import type { Evaluation, RolloutState, StageRecord } from './state.ts';

export interface Release {
  canary: string;
  specHash: string;
  canarySubset: string;
  runUrl?: string;
  routing?: RolloutState['routing'];
}

const iso = (ms: number) => new Date(ms).toISOString();

function record(stage: PlannedStage, now: number, result: StageRecord['result']): StageRecord {
  return {
    stage: stage.id,
    summary: stage.summary,
    startedAt: iso(now),
    result,
    canaryWeight: stage.traffic.canaryWeight,
    mirrorPercentage: stage.traffic.mirrorPercentage,
    headerRule: stage.traffic.headerRule,
    evaluations: [],
  };
}

/** Is this state a rollout still under way (something to resume, advance or roll back)? */
export type ActiveState = RolloutState & { status: 'in-progress' | 'paused' };

export function isActive(state: RolloutState | undefined): state is ActiveState {
  return state?.status === 'in-progress' || state?.status === 'paused';
}

/** Closes the open record (if any) with `result`. */
function closeCurrent(history: StageRecord[], result: StageRecord['result'], now: number): StageRecord[] {
  const last = history.at(-1);
  if (!last || last.endedAt || (last.result !== 'in-progress' && last.result !== 'paused')) return history;
  return [...history.slice(0, -1), { ...last, result, endedAt: iso(now) }];
}

/** Enters a stage of the plan: the previous one passed. A new release starts a fresh history. */
export function enterStage(prev: RolloutState | undefined, release: Release, stage: PlannedStage, now: number): RolloutState {
  const same = prev && prev.specHash === release.specHash && isActive(prev);
  const history = same ? closeCurrent(prev.history, 'passed', now) : [];
  return {
    schema: 1,
    ...release,
    status: 'in-progress',
    stageIndex: stage.index,
    stageStartedAt: iso(now),
    history: [...history, record(stage, now, 'in-progress')],
  };
}

/** Adds an evaluation to the current stage's record. */
export function addEvaluation(prev: RolloutState, evaluation: Evaluation): RolloutState {
  const last = prev.history.at(-1);
  if (!last) return prev;
  return { ...prev, history: [...prev.history.slice(0, -1), { ...last, evaluations: [...last.evaluations, evaluation] }] };
}

/** The current stage passed its gates and waits for `advance` or `promote`. */
export function pause(prev: RolloutState, reason: string): RolloutState {
  const last = prev.history.at(-1);
  const history = last && !last.endedAt ? [...prev.history.slice(0, -1), { ...last, result: 'paused' as const }] : prev.history;
  return { ...prev, status: 'paused', reason, history };
}

/** All traffic on the canary: the release is done. */
export function promote(prev: RolloutState | undefined, release: Release, stage: PlannedStage, now: number): RolloutState {
  const same = prev && prev.specHash === release.specHash;
  const history = same ? closeCurrent(prev.history, 'passed', now) : [];
  return {
    schema: 1,
    ...release,
    status: 'promoted',
    stageIndex: -1,
    stageStartedAt: iso(now),
    history: [...history, { ...record(stage, now, 'promoted'), endedAt: iso(now) }],
  };
}

/** All traffic back on stable with the reason. Rolling back a rolled-back state changes nothing. */
export function rollBack(prev: RolloutState | undefined, release: Release, stage: PlannedStage, now: number, reason: string): RolloutState {
  if (prev?.status === 'rolled-back' && prev.canarySubset === release.canarySubset) return prev;
  const base = prev ?? { schema: 1 as const, ...release, status: 'rolled-back' as const, stageIndex: -1, stageStartedAt: iso(now), history: [] };
  return {
    ...base,
    status: 'rolled-back',
    stageIndex: -1,
    stageStartedAt: iso(now),
    reason,
    history: [...closeCurrent(base.history, 'failed', now), { ...record(stage, now, 'rolled-back'), endedAt: iso(now) }],
  };
}
