// The release state machine: one entry per command. Rules:
// - run: drive from the recorded state (or the first stage) until promoted, paused or rolled back.
//   A paused rollout stays paused; a promoted one is left alone; after a rollback it starts again.
// - start: apply the first stage and return at once.
// - advance: a paused stage moves on. An in-progress stage is judged over the time it has baked; a
//   failure rolls back at once, but it moves on only once its bake is over and its final judgement
//   passes — before that advance changes nothing and says how long is left (so a scheduled advance
//   is safe). A passed stage marked `pause` becomes paused first.
// - promote: straight to the promoted plan. abort: roll back. status: read only.
// - Any error (and the signal) once the command has written, or while it drives a rollout that was
//   already under way, rolls it back.
// - The holder (a record apart from the routing: holding.ts) is taken before a command's first
//   write, renewed at two thirds of the holder timeout and released after its last write: it marks a
//   command in flight. Evaluations are kept in memory and written with the stage's verdict; a stage
//   this command did not watch from its start is re-judged at its past intervals first.
import { describeError, InputError, OwnershipError, ReleaseFailedError } from '../errors.ts';
import { planLive, unrecorded } from './plan-live.ts';
import { detectedText } from '../plan/detect.ts';
import { stageObjects } from '../plan/types.ts';
import { specHash } from '../spec/hash.ts';
import { bakeStage } from './bake.ts';
import type { EngineCommand, EngineContext, EngineResult, Session } from './context.ts';
import { recordedHolder, releaseHolder } from './holding.ts';
import { judgeStage, rejudgePast, windowOf } from './judge-stage.ts';
import { readLive, routingName, type Live } from './live.ts';
import { resultOf } from './result.ts';
import { olderRelease, rollBackNow } from './rollback.ts';
import { checkRouteOwner } from './write-stage.ts';
import { stateAnnotationKey, type RolloutState } from '../core/state.ts';
import { stateLocation } from '../core/state-codec.ts';
import { enter, pauseHere, promoteNow, touch } from './steps.ts';
import { isActive } from '../core/transitions.ts';

export type { EngineCommand, EngineContext, EngineResult } from './context.ts';

export async function executeCommand(ctx: EngineContext, command: EngineCommand): Promise<EngineResult> {
  const session: Session = { ctx, specHash: specHash(ctx.spec), holding: false, wrote: false, ownershipChecked: false, renewedAt: ctx.clock.now() };
  if (command === 'abort') return abort(session);
  const live = await readLive(ctx.routing, ctx.spec);
  session.state = live.state;
  // Another release's routing is planned with its own subset, until it is rolled back.
  const other = isActive(live.state) ? olderRelease(session, live.state, live.objects) : undefined;
  // Starting afresh over a split nobody recorded would silently take its traffic off the canary: refused.
  const first = (command === 'run' || command === 'start') && unrecorded(live.stateObject, ctx.spec.name);
  session.plan = planLive(other?.spec ?? ctx.spec, live.objects, { unchecked: live.unchecked, ...(first ? { unrecorded: true } : {}) });
  // Said once per command: who the release cannot reach, and what it could not check.
  for (const note of [...(session.plan.notes ?? []), ...(session.plan.unchecked ?? [])]) ctx.log.warning(`${ctx.spec.name}: ${note}`);
  checkStageIndex(session, live);
  if (command === 'status') return await status(session, live.state);
  // From here on an error rolls back whatever this command has started or resumed.
  const engaged = { value: false };
  try {
    switch (command) {
      case 'run':
        return await run(session, live, engaged);
      case 'start':
        return await start(session, live, engaged);
      case 'advance':
        return await advance(session, live.state, engaged);
      case 'promote':
        return await promote(session, live, engaged);
    }
  } catch (e) {
    return await failed(session, e, engaged.value);
  }
}

/** Rolls back after an error or a cancellation, if this command had anything under way. */
async function failed(session: Session, error: unknown, engaged: boolean): Promise<EngineResult> {
  const { ctx } = session;
  const cancelled = ctx.signal?.aborted === true;
  const reason = cancelled ? `cancelled: ${describeError(ctx.signal?.reason)}` : describeError(error);
  if (error instanceof OwnershipError || !(engaged || session.wrote)) {
    // Nothing of ours to roll back: the holder this command may have taken must not keep others out.
    // A record another run took since is theirs (the write is refused and ignored).
    await releaseHolder(session, ctx.spec.name).catch(() => undefined);
    if (cancelled && !(error instanceof OwnershipError)) throw new ReleaseFailedError(`${ctx.spec.name}: ${reason} before anything was written`);
    throw error;
  }
  const where = session.state && isActive(session.state) ? ` during stage ${session.plan?.stages[session.state.stageIndex]?.id ?? session.state.stageIndex}` : '';
  await rollBackNow(session, `${reason}${where}`);
  return resultOf(session, session.state!, `${ctx.spec.name} was rolled back: ${reason}${where}`);
}

function stageName(session: Session, state: RolloutState): string {
  return session.plan?.stages[state.stageIndex]?.id ?? `#${state.stageIndex} (not a stage of this spec's plan)`;
}

/** A different version or spec is under way: refuse, or (supersede) roll it back first. */
async function clearOtherRelease(session: Session, prev: RolloutState, engaged: { value: boolean }, live: Live): Promise<void> {
  const { ctx } = session;
  const what = prev.canarySubset !== ctx.spec.canary.subset ? `canary ${prev.canarySubset}` : `another version of this spec (hash ${prev.specHash})`;
  const message = `${ctx.spec.name}: a rollout of ${what} is ${prev.status} at stage ${stageName(session, prev)} on ${routingName(ctx.spec)}`;
  if (!ctx.options.supersede) {
    throw new OwnershipError(`${message}. Run \`abort\` first, or set supersede: true to roll it back and start ${ctx.spec.canary.subset}.`);
  }
  // A GitOps refusal must come before the first write, which here is the old release's rollback.
  checkRouteOwner(session, live.stateObject);
  ctx.log.warning(`${message}; superseding it: rolling it back first`);
  engaged.value = true;
  await rollBackNow(session, `superseded by ${ctx.spec.canary.subset} (spec ${session.specHash})`, { keepHolder: true, older: olderRelease(session, prev, live.objects), toBaseline: true });
}

function sameRelease(session: Session, state: RolloutState | undefined): boolean {
  return state !== undefined && state.specHash === session.specHash && state.canarySubset === session.ctx.spec.canary.subset;
}

async function run(session: Session, live: Live, engaged: { value: boolean }): Promise<EngineResult> {
  const { ctx } = session;
  const prev = live.state;
  if (isActive(prev) && sameRelease(session, prev)) {
    if (prev.status === 'paused') {
      ctx.log.info(`${ctx.spec.name}: paused at stage ${stageName(session, prev)}; run advance or promote to go on`);
      return resultOf(session, prev);
    }
    ctx.log.info(`${ctx.spec.name}: resuming at stage ${stageName(session, prev)}`);
    engaged.value = true;
    await touch(session, prev.stageIndex, false);
    return drive(session);
  }
  if (sameRelease(session, prev) && prev?.status === 'promoted') {
    ctx.log.info(`${ctx.spec.name}: already promoted; nothing to do`);
    return resultOf(session, prev);
  }
  await refuseNeverInEffect(session);
  if (isActive(prev)) await clearOtherRelease(session, prev, engaged, live);
  await enter(session, 0, false);
  return drive(session);
}

/** A release whose first stage could never take effect (the routing port says why) writes nothing. */
async function refuseNeverInEffect(session: Session): Promise<void> {
  const first = session.plan!.stages[0];
  const problem = first && (await session.ctx.routing.neverInEffect?.(stageObjects(first)));
  if (problem !== undefined) throw new InputError(problem);
}

/** Bakes, judges and moves on from the current stage until promoted, paused or rolled back. */
async function drive(session: Session): Promise<EngineResult> {
  for (;;) {
    const index = session.state!.stageIndex;
    const judged = await bakeStage(session, index);
    if (judged.decision === 'fail') return rolledBack(session, judged.reason);
    if ((await moveOn(session, index, false)) !== 'entered') return resultOf(session, session.state!);
  }
}

/** After stage `index` passed: pause if it says so, else the next stage, else promote. */
async function moveOn(session: Session, index: number, releaseAfterEnter: boolean): Promise<'paused' | 'promoted' | 'entered'> {
  const plan = session.plan!;
  if (plan.stages[index]?.spec?.pause && session.state?.status !== 'paused') {
    await pauseHere(session, index);
    return 'paused';
  }
  if (index + 1 >= plan.stages.length) {
    await promoteNow(session);
    return 'promoted';
  }
  await enter(session, index + 1, releaseAfterEnter);
  return 'entered';
}

async function rolledBack(session: Session, reason: string): Promise<EngineResult> {
  await rollBackNow(session, reason);
  return resultOf(session, session.state!, `${session.ctx.spec.name} was rolled back: ${reason}`);
}

async function start(session: Session, live: Live, engaged: { value: boolean }): Promise<EngineResult> {
  const { ctx } = session;
  const prev = live.state;
  if (isActive(prev) && sameRelease(session, prev)) {
    ctx.log.info(`${ctx.spec.name}: already under way (${prev.status} at stage ${stageName(session, prev)}); nothing to start`);
    return resultOf(session, prev);
  }
  await refuseNeverInEffect(session);
  if (isActive(prev)) await clearOtherRelease(session, prev, engaged, live);
  await enter(session, 0, true);
  return resultOf(session, session.state!);
}

function requireOwnRollout(session: Session, prev: RolloutState | undefined, command: string): RolloutState {
  const { spec } = session.ctx;
  if (!isActive(prev)) {
    throw new InputError({
      file: spec.source.file,
      path: 'command',
      message: `${command}: no rollout of ${spec.name} is under way on ${routingName(spec)} (${prev ? `it is ${prev.status}` : 'no state recorded'}); use start or run`,
    });
  }
  if (!sameRelease(session, prev)) {
    throw new OwnershipError(
      `${spec.name}: the rollout under way is of canary ${prev.canarySubset} (spec hash ${prev.specHash}), not of this spec; ` +
        'run `abort` first, or start this one with supersede: true',
    );
  }
  return prev;
}

async function advance(session: Session, prevState: RolloutState | undefined, engaged: { value: boolean }): Promise<EngineResult> {
  const { ctx } = session;
  const prev = requireOwnRollout(session, prevState, 'advance');
  const index = prev.stageIndex;
  engaged.value = true;
  if (prev.status === 'in-progress') {
    const stage = session.plan!.stages[index]!;
    const bake = stage.spec!.bake;
    const started = Date.parse(prev.stageStartedAt);
    const baked = ctx.clock.now() - started;
    const done = baked >= bake;
    const analysis = ctx.spec.analysis && ctx.spec.analysis.checks.length > 0 ? ctx.spec.analysis : undefined;
    let holding = false;
    if (analysis) {
      const past = await rejudgePast(session, index);
      if (past?.decision === 'fail') return rolledBack(session, past.reason);
      const holdExpired = ctx.clock.now() >= started + bake + (analysis.maxHold ?? bake);
      const judged = await judgeStage(session, index, windowOf(baked), { final: done, holdExpired });
      if (judged.decision === 'fail') return rolledBack(session, judged.reason);
      holding = judged.decision === 'hold';
    }
    if (!done || holding) {
      const left = holding ? 'its checks are holding for more data' : `it has baked ${Math.round(baked / 1000)}s of ${Math.round(bake / 1000)}s`;
      ctx.log.info(`${ctx.spec.name}: stage ${stage.id} stays: ${left}; advance again later, or promote to skip the gates`);
      await releaseHolder(session, ctx.spec.name);
      return resultOf(session, session.state!);
    }
  }
  await moveOn(session, index, true);
  return resultOf(session, session.state!);
}

async function promote(session: Session, live: Live, engaged: { value: boolean }): Promise<EngineResult> {
  const { ctx } = session;
  const prev = live.state;
  if (sameRelease(session, prev) && prev?.status === 'promoted') {
    ctx.log.info(`${ctx.spec.name}: already promoted; nothing to do`);
    return resultOf(session, prev!);
  }
  if (isActive(prev) && !sameRelease(session, prev)) await clearOtherRelease(session, prev, engaged, live);
  engaged.value ||= isActive(prev);
  await promoteNow(session);
  return resultOf(session, session.state!);
}

async function abort(session: Session): Promise<EngineResult> {
  const { ctx } = session;
  const live = await readLive(ctx.routing, ctx.spec, true);
  const driver = recordedHolder(await ctx.holders.read(ctx.spec.namespace, ctx.spec.name), live.state);
  if (ctx.options.onlyOwnRollout && driver?.id !== ctx.holder.id) {
    const what = live.state ? `the rollout is ${live.state.status}${driver ? ` and driven by ${driver.id}` : ''}` : 'no rollout is recorded';
    ctx.log.info(`${ctx.spec.name}: nothing of this run to roll back: ${what}`);
    try {
      // Only for the result's stage and weight; routing this tool cannot plan is not ours to judge here.
      session.plan = planLive(live.state ? (olderRelease(session, live.state, live.objects)?.spec ?? ctx.spec) : ctx.spec, live.objects);
    } catch {}
    return await status(session, live.state);
  }
  if (!live.state && untouched(session, live)) {
    ctx.log.info(`${ctx.spec.name}: no rollout is recorded on ${routingName(ctx.spec)} and its routing has no trace of one; nothing to roll back`);
    return await status(session, undefined);
  }
  const older = live.state ? olderRelease(session, live.state, live.objects) : undefined;
  if (live.state?.status === 'promoted') {
    ctx.log.warning(`${ctx.spec.name}: the release of ${live.state.canarySubset} was promoted; abort sends the owned route back to ${ctx.spec.stable.subset}`);
  }
  const holder = ctx.holder.id;
  // Only-own: should another run take the rollout over after the read, the write refuses.
  await rollBackNow(session, `aborted by ${holder}${ctx.holder.runUrl ? ` (${ctx.holder.runUrl})` : ''}`, { override: !ctx.options.onlyOwnRollout, older });
  return resultOf(session, session.state!);
}

/** No state annotation at all (not even a damaged one) and no canary routing of this spec in the
 * live objects: a rollback would only add the canary subset and a weight-0 split nobody asked for. */
function untouched(session: Session, live: Live): boolean {
  const { spec } = session.ctx;
  if (live.stateObject.metadata.annotations?.[stateAnnotationKey(spec.name)] !== undefined) return false;
  try {
    session.plan = planLive(spec, live.objects);
  } catch {
    return false; // the rollback reports what is wrong
  }
  return session.plan.detected === undefined;
}

/** Read only. Without a recorded rollout the stage is read from the routing: all on stable (rolled
 * back, no history), or — the annotation was removed — the stage or promotion the routing shows. */
async function status(session: Session, recorded: RolloutState | undefined): Promise<EngineResult> {
  const { spec, clock, holders } = session.ctx;
  // Who drives it lives apart from the state; shown with it, as the report's next step depends on it.
  const holder = recorded && recordedHolder(await holders.read(spec.namespace, spec.name), recorded);
  const state = recorded && { ...recorded, holder };
  if (state && !holder) delete state.holder;
  const detected = session.plan?.detected;
  const traced = detected !== undefined && detected !== 'rollback';
  // Owned routes at different stages: no stage is shown rather than a guess, and the reason says which route shows what.
  const read = detected === 'mixed' ? `; ${detectedText(session.plan!)}: run abort to put every owned route back on stable` : '; the stage is read from its routing (the state annotation is missing): run abort to put it back on stable';
  const shown: RolloutState = state ?? {
    schema: 1,
    canary: spec.name,
    specHash: session.specHash,
    canarySubset: spec.canary.subset,
    status: !traced ? 'rolled-back' : detected === 'promoted' ? 'promoted' : 'in-progress',
    stageIndex: typeof detected === 'number' ? detected : -1,
    stageStartedAt: new Date(clock.now()).toISOString(),
    reason: `no rollout of ${spec.name} is recorded on ${routingName(spec)}${traced ? read : ''}`,
    history: [],
  };
  return { ...resultOf(session, shown), recorded: state !== undefined };
}

/** A state of this very release names a stage of its plan; one that does not was edited by hand, and
 * reading it would show or drive a stage that does not exist. */
function checkStageIndex(session: Session, live: Live): void {
  const { state } = live;
  const stages = session.plan!.stages.length;
  if (!state || !isActive(state) || !sameRelease(session, state)) return;
  if (state.stageIndex >= 0 && state.stageIndex < stages) return;
  throw new InputError({
    ...stateLocation(live.stateObject, stateAnnotationKey(session.ctx.spec.name)),
    message: `is ${state.status} at stageIndex ${state.stageIndex}, but this release has ${stages} stages (0 to ${stages - 1}): the state was edited by hand; run \`istio-canary abort\` to put all traffic back on stable and rewrite the state`,
  });
}
