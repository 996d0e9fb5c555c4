// A stage's bake: wait its time, evaluating the checks every interval over the last interval, then
// once over the whole bake; a `hold` extends the bake up to maxHold. The holder is renewed by every
// state write and, between evaluations, at a third of the holder timeout.
import type { Session } from './context.ts';
import { judgeStage, type Judgement } from './judge-stage.ts';
import { touch } from './steps.ts';

/** Time between holder renewals, so a live run never looks dead to another one. */
export function renewEvery(holderTimeoutMs: number): number {
  return Math.max(1000, Math.floor(holderTimeoutMs / 3));
}

export async function bakeStage(session: Session, index: number): Promise<Judgement> {
  const { ctx } = session;
  const { clock } = ctx;
  const stage = session.plan!.stages[index]!;
  const bake = stage.spec!.bake;
  const start = Date.parse(session.state!.stageStartedAt);
  const end = start + bake;
  const analysis = ctx.spec.analysis && ctx.spec.analysis.checks.length > 0 ? ctx.spec.analysis : undefined;
  const interval = analysis?.interval ?? Infinity;
  // Resuming: the next interim evaluation after the last recorded one.
  const lastAt = Date.parse(session.state!.history.at(-1)?.evaluations.at(-1)?.at ?? '') || start;
  let nextCheck = start + interval * (Math.floor((lastAt - start) / interval) + 1);

  while (clock.now() < end) {
    await sleepRenewing(session, index, Math.min(end, nextCheck));
    const now = clock.now();
    if (now >= end) break;
    const judged = await judgeStage(session, index, analysis!.interval, { final: false, holdExpired: false });
    if (judged.decision === 'fail') return judged;
    while (nextCheck <= clock.now()) nextCheck += interval;
  }
  if (!analysis) return { decision: 'continue', reason: '' };

  const holdUntil = end + (analysis.maxHold ?? bake);
  for (;;) {
    const now = clock.now();
    const judged = await judgeStage(session, index, now - start, { final: true, holdExpired: now >= holdUntil });
    if (judged.decision !== 'hold') return judged;
    // The hold waits like the bake: renewing the holder, or a long interval would let another run take over.
    await sleepRenewing(session, index, Math.min(clock.now() + analysis.interval, holdUntil));
  }
}

/** Sleeps until `until`, rewriting the stage's state whenever the holder is due for renewal. */
async function sleepRenewing(session: Session, index: number, until: number): Promise<void> {
  const { clock, signal } = session.ctx;
  const renewal = renewEvery(session.ctx.options.holderTimeoutMs);
  while (clock.now() < until) {
    await clock.sleep(Math.max(0, Math.min(until, session.lastWriteAt + renewal) - clock.now()), signal);
    if (clock.now() < until && clock.now() - session.lastWriteAt >= renewal) await touch(session, index, false);
  }
}
