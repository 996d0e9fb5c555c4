// The rollout's state, kept as an annotation on the managed VirtualService and written in the same
// write as the routing, so routing and state can never disagree.
import type { CheckVerdict, StageDecision } from '../analysis/types.ts';

export type RolloutStatus = 'in-progress' | 'paused' | 'promoted' | 'rolled-back';

/** One evaluation of all checks of a stage. */
export interface Evaluation {
  at: string; // ISO time
  decision: StageDecision;
  verdicts: CheckVerdict[];
  /** Why the stage held or failed at this evaluation, one line per check (for reports). */
  reasons?: string[];
}

export interface StageRecord {
  /** PlannedStage.id */
  stage: string;
  summary: string;
  startedAt: string;
  endedAt?: string;
  result: 'in-progress' | 'passed' | 'failed' | 'paused' | 'promoted' | 'rolled-back';
  canaryWeight: number;
  mirrorPercentage: number;
  headerRule: boolean;
  evaluations: Evaluation[];
  /** Evaluations dropped from `evaluations` to keep the annotation small (the first failure and the latest are kept). */
  omittedEvaluations?: number;
}

export interface Holder {
  /** Unique per run, e.g. `<run id>-<attempt>` or a random id for the CLI. */
  id: string;
  runUrl?: string;
  renewedAt: string;
}

export interface RolloutState {
  schema: 1;
  /** Canary spec name (metadata.name). */
  canary: string;
  /** Hash of the spec that produced the plan; a different hash means a new release or an edited spec. */
  specHash: string;
  /** Canary subset, to refuse a new version while one is in progress. */
  canarySubset: string;
  status: RolloutStatus;
  /** Index into plan.stages of the current stage; -1 before the first and for promoted/rolled-back. */
  stageIndex: number;
  stageStartedAt: string;
  holder?: Holder;
  /** Why it was rolled back or paused. */
  reason?: string;
  runUrl?: string;
  /** The owned route as the spec that started this release named it (`route` absent: the route the
   * spec's default picks). Lets a run with an edited spec roll back the route this release used. */
  routing?: { route?: string | number };
  history: StageRecord[];
}

/** Annotation key on the VirtualService, one per canary so several canaries can share a VS. */
export function stateAnnotationKey(canaryName: string): string {
  return `istio-canary.dev/${canaryName}`.slice(0, 253);
}
