// Taking, renewing and releasing the holder through the holder port, never through the routing.
// Before each routing write a run reads the holder record (after reading the routing it plans
// from) and writes it only to take it or when its renewal is due; whoever takes a rollout over (a
// run after expiry, abort) writes the record before any routing. So a routing write of a run that
// lost the rollout either conflicts on the routing's resourceVersion or finds the record changed.
import type { HolderRecord } from '../core/ports.ts';
import type { Holder, RolloutState } from '../core/state.ts';
import { ConflictError } from '../errors.ts';
import type { Session } from './context.ts';
import { checkHolder, holderFor } from './holder.ts';

const MAX_HOLDER_CONFLICTS = 8;

/** Time between holder renewals: when two thirds of the timeout have passed, so a live run never
 * looks dead to another one (a third of the timeout is left for the renewal and for any routing
 * write planned under the holder) and a release of the default spec renews only a few times. */
export function renewEvery(holderTimeoutMs: number): number {
  return Math.max(1000, Math.floor((2 * holderTimeoutMs) / 3));
}

/** The holder that counts: the record's; a state written by an older istio-canary carries its own. */
export function recordedHolder(record: HolderRecord, state: RolloutState | undefined): Holder | undefined {
  return record.version !== undefined ? record.holder : state?.holder;
}

/** Refuses when another run drives the rollout of `canary` (or took it from this one); takes the
 * holder, or renews it when due. `override`: stop whoever drives it (abort). */
export async function claim(session: Session, canary: string, state: RolloutState | undefined, override = false): Promise<void> {
  const { ctx } = session;
  const timeoutMs = ctx.options.holderTimeoutMs;
  for (let conflicts = 0; ; conflicts++) {
    const record = await ctx.holders.read(ctx.spec.namespace, canary);
    const now = ctx.clock.now();
    const warning = checkHolder({ live: state, holder: recordedHolder(record, state), me: ctx.holder, now, timeoutMs, holding: session.holding, override, canary });
    if (session.holding && now - session.renewedAt < renewEvery(timeoutMs)) return;
    try {
      const written = await ctx.holders.write(ctx.spec.namespace, canary, holderFor(ctx.holder, now, false), record.version, timeoutMs);
      session.holding = true;
      session.holderVersion = written.version;
      session.renewedAt = now;
      if (warning) ctx.log.warning(warning);
      return;
    } catch (e) {
      if (!(e instanceof ConflictError) || conflicts >= MAX_HOLDER_CONFLICTS) throw e;
    }
  }
}

/** The command is done: nobody holds the rollout now. A record someone else wrote since is theirs. */
export async function releaseHolder(session: Session, canary: string): Promise<void> {
  if (!session.holding) return;
  const { ctx } = session;
  session.holding = false;
  try {
    await ctx.holders.write(ctx.spec.namespace, canary, undefined, session.holderVersion, ctx.options.holderTimeoutMs);
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
  }
}
