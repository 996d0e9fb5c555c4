// What each commit of a release says, from the object it writes: the state annotation the engine
// puts on the state object names the stage (or the promotion, or the rollback and why) and holds the
// previous stage's verdicts; an object without state is named by what happens to it.
import type { CommitMessage } from '../gitops/commit-message.ts';
import { commitMessage, type PreviousStage, type RoutingChange } from '../gitops/commit-message.ts';
import type { WriteDescription } from '../adapters/git-routing.ts';
import { decodeState } from '../core/state-codec.ts';
import { stateAnnotationKey, type RolloutState, type StageRecord } from '../core/state.ts';
import type { VirtualService } from '../istio/types.ts';
import type { CanarySpec } from '../spec/types.ts';

export interface RunIdentity {
  /** The holder id of this run. */
  runId: string;
  runUrl?: string;
}

export function commitMessageFor(spec: CanarySpec, write: WriteDescription, run: RunIdentity): CommitMessage {
  const state = write.object ? decodeState(write.object as unknown as VirtualService, stateAnnotationKey(spec.name)) : undefined;
  const { change, previous } = state ? fromState(spec, state) : fromObject(write, spec);
  return commitMessage({ canary: spec.name, change, ...(previous ? { previous } : {}), runId: run.runId, ...(run.runUrl ? { runUrl: run.runUrl } : {}) });
}

/** The object carries this canary's state, rolled back. */
export function isRollbackState(spec: CanarySpec, object: { metadata: { annotations?: Record<string, string> } }): boolean {
  const text = object.metadata.annotations?.[stateAnnotationKey(spec.name)];
  if (text === undefined) return false;
  try {
    return (JSON.parse(text) as { status?: unknown }).status === 'rolled-back';
  } catch {
    return false;
  }
}

function fromState(spec: CanarySpec, state: RolloutState): { change: RoutingChange; previous?: PreviousStage } {
  const records = state.history;
  if (state.status === 'rolled-back') {
    return { change: { kind: 'rollback', stableSubset: spec.stable.subset, reason: state.reason ?? 'rolled back' }, ...previousOf(records.at(-1)) };
  }
  if (state.status === 'promoted') return { change: { kind: 'promote', canarySubset: spec.canary.subset }, ...previousOf(records.at(-2) ?? records.at(-1)) };
  const current = records.at(-1);
  const change: RoutingChange = current
    ? { kind: 'stage', summary: shortSummary(current, spec), stageId: current.stage, index: Math.max(0, state.stageIndex), total: spec.stages.length }
    : { kind: 'object', summary: 'record the rollout state', stageId: 'state' };
  return { change, ...previousOf(records.at(-2)) };
}

/** What a stage does to traffic, in a few words (the record's summary is a full sentence for reports). */
function shortSummary(record: StageRecord, spec: CanarySpec): string {
  const canary = spec.canary.subset;
  if (record.canaryWeight > 0) return `shift ${record.canaryWeight}% to ${canary}`;
  if (record.mirrorPercentage > 0) return `mirror ${record.mirrorPercentage}% to ${canary}`;
  if (record.headerRule) return `dark launch ${canary} behind a header`;
  return record.summary;
}

function previousOf(record: StageRecord | undefined): { previous?: PreviousStage } {
  if (!record) return {};
  const last = record.evaluations.at(-1);
  return { previous: { stageId: record.stage, summary: record.summary, result: record.result, verdicts: last?.verdicts ?? [] } };
}

function fromObject(write: WriteDescription, spec: CanarySpec): { change: RoutingChange; previous?: PreviousStage } {
  const verb = write.operation === 'create' ? 'create' : write.operation === 'delete' ? 'delete' : 'update';
  return { change: { kind: 'object', summary: `${verb} ${write.ref.kind} ${write.ref.name} for ${spec.canary.subset}`, stageId: 'routing' } };
}
