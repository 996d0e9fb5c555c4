// A stage's bake: wait its time, evaluating the checks every interval (recorded), then once at the end
// of the bake (final); a `hold` extends the bake up to maxHold. Between the recorded evaluations,
// counted checks get quick looks every eighth of an interval (7.5 s at the default 1 m: every scrape
// of the common 15 s scrape interval is seen within half a scrape), so decisive evidence rolls back
// within about two scrapes (a new error series needs two samples for increase()) instead of waiting
// for the interval's end; their test is always-valid, so the extra looks cost no false rollbacks. The holder
// is renewed at two thirds of the holder timeout through its own port, never by writing the routing. A
// stage this run did not watch from its start (a resumed run) is first re-judged at its past intervals.
import { countedCheck } from '../analysis/evaluate.ts';
import type { Session } from './context.ts';
import { claim, renewEvery } from './holding.ts';
import { judgeStage, quickLook, rejudgePast, type Judgement } from './judge-stage.ts';
import { withPending } from './pending.ts';

export async function bakeStage(session: Session, index: number): Promise<Judgement> {
  const { ctx } = session;
  const { clock } = ctx;
  const stage = session.plan!.stages[index]!;
  const bake = stage.spec!.bake;
  const start = Date.parse(session.state!.stageStartedAt);
  const end = start + bake;
  const analysis = ctx.spec.analysis && ctx.spec.analysis.checks.length > 0 ? ctx.spec.analysis : undefined;
  const interval = analysis?.interval ?? Infinity;
  const past = await rejudgePast(session, index);
  if (past?.decision === 'fail') return past;
  // Resuming: the next interim evaluation after the last recorded or re-judged one.
  const lastAt = Date.parse(withPending(session.state!, session.pending).history.at(-1)?.evaluations.at(-1)?.at ?? '') || start;
  let nextCheck = start + interval * (Math.floor((lastAt - start) / interval) + 1);
  const lookEvery = analysis?.checks.some(countedCheck) ? quickLookEvery(interval) : Infinity;
  let nextLook = start + lookEvery * (Math.floor((clock.now() - start) / lookEvery) + 1);

  while (clock.now() < end) {
    await sleepRenewing(session, Math.min(end, nextCheck, nextLook));
    const now = clock.now();
    if (now >= end) break;
    const judged =
      now >= nextCheck
        ? await judgeStage(session, index, analysis!.interval, { final: false, holdExpired: false })
        : await quickLook(session, index);
    if (judged?.decision === 'fail') return judged;
    while (nextCheck <= clock.now()) nextCheck += interval;
    while (nextLook <= clock.now()) nextLook += lookEvery;
  }
  if (!analysis) return { decision: 'continue', reason: '' };

  const holdUntil = end + (analysis.maxHold ?? bake);
  for (;;) {
    const now = clock.now();
    const judged = await judgeStage(session, index, now - start, { final: true, holdExpired: now >= holdUntil });
    if (judged.decision !== 'hold') return judged;
    // The hold waits like the bake: renewing the holder, or a long interval would let another run take over.
    await sleepRenewing(session, Math.min(clock.now() + analysis.interval, holdUntil));
  }
}

/** Time between quick looks: an eighth of the interval, at least 250 ms. */
export function quickLookEvery(interval: number): number {
  return Math.max(250, Math.floor(interval / 8));
}

/** Sleeps until `until`, renewing the holder whenever it is due. */
async function sleepRenewing(session: Session, until: number): Promise<void> {
  const { clock, signal, spec } = session.ctx;
  const renewal = renewEvery(session.ctx.options.holderTimeoutMs);
  while (clock.now() < until) {
    await clock.sleep(Math.max(0, Math.min(until, session.renewedAt + renewal) - clock.now()), signal);
    if (clock.now() < until && clock.now() - session.renewedAt >= renewal) await claim(session, spec.name, session.state);
  }
}
