// The forward transitions, each one write of the plan's stage with the state that names it.
import type { Session } from './context.ts';
import { publish } from './result.ts';
import { enterStage, pause, promote, type Release } from '../core/transitions.ts';
import { writeStage } from './write-stage.ts';

export function releaseOf(session: Session): Release {
  const { spec, holder } = session.ctx;
  return {
    canary: spec.name,
    specHash: session.specHash,
    canarySubset: spec.canary.subset,
    ...(holder.runUrl ? { runUrl: holder.runUrl } : {}),
    routing: spec.route !== undefined ? { route: spec.route } : {},
  };
}

/** Applies stage `index` of the plan and starts its bake. */
export async function enter(session: Session, index: number, release: boolean): Promise<void> {
  const { ctx } = session;
  const planned = session.plan?.stages[index];
  if (planned) ctx.log.event?.({ kind: 'stage', stage: planned.id, summary: planned.summary });
  const { stage } = await writeStage(session, {
    pick: (plan) => plan.stages[index]!,
    change: (prev, stage) => enterStage(prev, releaseOf(session), stage, ctx.clock.now()),
    release,
    signal: ctx.signal,
  });
  ctx.log.info(`${ctx.spec.name}: stage ${stage.id}: ${stage.summary}`);
  for (const note of stage.notes ?? []) ctx.log.info(`${ctx.spec.name}: stage ${stage.id}: ${note}`);
  await publish(session);
}

/** All traffic to the canary; the release is done. */
export async function promoteNow(session: Session): Promise<void> {
  const { ctx } = session;
  if (session.plan) ctx.log.event?.({ kind: 'stage', stage: session.plan.promoted.id, summary: session.plan.promoted.summary });
  const { stage } = await writeStage(session, {
    pick: (plan) => plan.promoted,
    change: (prev, stage) => promote(prev, releaseOf(session), stage, ctx.clock.now()),
    release: true,
    signal: ctx.signal,
  });
  ctx.log.info(`${ctx.spec.name}: promoted: ${stage.summary}`);
  await publish(session);
}

/** The current stage passed; wait for `advance` or `promote`. */
export async function pauseHere(session: Session, index: number): Promise<void> {
  const { ctx } = session;
  const { stage } = await writeStage(session, {
    pick: (plan) => plan.stages[index]!,
    change: (prev, stage) => pause(prev!, `stage ${stage.id} passed and is marked pause: run advance or promote to go on`),
    release: true,
    signal: ctx.signal,
  });
  ctx.log.info(`${ctx.spec.name}: paused after stage ${stage.id}; run advance or promote to go on`);
  await publish(session);
}

/** Rewrites the current stage with the same state: renews (or releases) the holder. */
export async function touch(session: Session, index: number, release: boolean): Promise<void> {
  await writeStage(session, { pick: (plan) => plan.stages[index]!, change: (prev) => prev!, release, expectCurrent: true, signal: session.ctx.signal });
}
