// Who drives a rollout right now: the rules. The holder is recorded through the holder port (a Lease
// in apply mode, see holding.ts) and taken with a version-guarded write, so two runs can never both
// drive; a run that died leaves a holder that stops counting once it has not been renewed for the
// configured time.
import { OwnershipError } from '../errors.ts';
import type { Holder, RolloutState } from '../core/state.ts';

export interface HolderCheck {
  /** The live state just read (for saying what became of the rollout). */
  live: RolloutState | undefined;
  /** The holder recorded now. */
  holder: Holder | undefined;
  me: { id: string; runUrl?: string };
  now: number;
  timeoutMs: number;
  /** This command has already written under its holder. */
  holding: boolean;
  /** `abort` stops whoever drives the rollout. */
  override: boolean;
  canary: string;
}

function describeHolder(holder: Holder): string {
  return holder.runUrl ? `${holder.id} (${holder.runUrl})` : holder.id;
}

/** Throws OwnershipError when another run drives the rollout; returns a warning when taking over. */
export function checkHolder(check: HolderCheck): string | undefined {
  const { live, me, holder } = check;
  if (check.holding && holder?.id !== me.id) {
    const now = holder ? `run ${describeHolder(holder)} took it over` : `it is now ${live?.status ?? 'gone'}${live?.reason ? ` (${live.reason})` : ''}`;
    throw new OwnershipError(`${check.canary}: this run no longer drives the rollout: ${now}. Stopping without touching the routing.`);
  }
  if (!holder || holder.id === me.id) return undefined;
  const idleMs = check.now - Date.parse(holder.renewedAt);
  if (check.override) return `${check.canary}: stopping the rollout driven by run ${describeHolder(holder)}`;
  if (idleMs < check.timeoutMs) {
    throw new OwnershipError(
      `${check.canary}: another run drives this rollout: ${describeHolder(holder)}, last renewed ${Math.round(idleMs / 1000)}s ago. ` +
        `Wait for it to finish, or run \`abort\` to stop it; a holder that does not renew within ${Math.round(check.timeoutMs / 1000)}s may be taken over.`,
    );
  }
  return `${check.canary}: taking over the rollout from run ${describeHolder(holder)}, which has not renewed for ${Math.round(idleMs / 1000)}s`;
}

/** The holder to record in a write: ours, renewed now, or none when the command is done. */
export function holderFor(me: { id: string; runUrl?: string }, now: number, release: boolean): Holder | undefined {
  if (release) return undefined;
  return { id: me.id, ...(me.runUrl ? { runUrl: me.runUrl } : {}), renewedAt: new Date(now).toISOString() };
}
