// Exit codes and the closing line from the release outcome, shared by the CLI and the action.
import type { EngineResult } from '../engine/context.ts';
import type { RolloutStatus } from '../core/state.ts';
import type { ReleaseCommand } from './release.ts';

/** 0: promoted, paused, in progress by design, or shown; 1: rolled back (unless asked for with abort). */
export function exitCodeForStatus(status: RolloutStatus, command: ReleaseCommand): number {
  if (status === 'rolled-back') return command === 'abort' || command === 'status' ? 0 : 1;
  return 0;
}

/** The one line the CLI prints after a command. */
export function outcomeLine(spec: { name: string; namespace: string; virtualService: string }, result: EngineResult): string {
  const shown = `${result.status} at ${result.stage}, canary weight ${result.canaryWeight}%`;
  if (result.recorded !== false) return `${spec.name}: ${shown}`;
  const where = `VirtualService ${spec.namespace}/${spec.virtualService}`;
  return result.status === 'rolled-back'
    ? `${spec.name}: no rollout recorded on ${where}; all traffic on stable`
    : `${spec.name}: no rollout recorded on ${where}, but its routing shows ${shown}; run abort to put it back on stable`;
}
