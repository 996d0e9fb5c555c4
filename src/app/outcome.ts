// Exit codes from the release outcome, shared by the CLI and the action.
import type { RolloutStatus } from '../engine/state.ts';
import type { ReleaseCommand } from './release.ts';

/** 0: promoted, paused, in progress by design, or shown; 1: rolled back (unless asked for with abort). */
export function exitCodeForStatus(status: RolloutStatus, command: ReleaseCommand): number {
  if (status === 'rolled-back') return command === 'abort' || command === 'status' ? 0 : 1;
  return 0;
}
