// Puts one planned stage on the cluster together with the state that describes it. Always plans from
// the objects just read, so a concurrent edit of another route survives; a lost race (409) re-reads,
// re-plans and retries. A stage is the plan's operations in order, each written only where the live
// object differs and waited for until it is in effect; the state annotation rides in the write of the
// object that carries it (the backend's state object), after every operation before it is in effect.
// The holder is checked (and taken or renewed when due) through its own port after the read.
import { ClusterError, ConflictError, DriftError, OwnershipError, describeError } from '../errors.ts';
import { headerRuleName } from '../istio/header-rule.ts';
import { routingDrift } from './drift.ts';
import { jsonEqual } from '../istio/clone.ts';
import { planLive } from './plan-live.ts';
import { refKey, refOf, type RoutingObject } from '../plan/objects.ts';
import type { ObjectOperation, Plan, PlannedStage } from '../plan/types.ts';
import { backendFor } from '../routing/registry.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { Session } from './context.ts';
import { claim, releaseHolder } from './holding.ts';
import { withPending } from './pending.ts';
import { readLive, routingName, type Live } from './live.ts';
import { encodeState } from '../core/state-codec.ts';
import { stateAnnotationKey, type RolloutState } from '../core/state.ts';

export const MAX_CONFLICT_RETRIES = 8;

export interface StageWrite {
  /** Which stage of the freshly made plan to put on the cluster. */
  pick: (plan: Plan) => PlannedStage;
  /** The next state from the state just read. */
  change: (prev: RolloutState | undefined, stage: PlannedStage, plan: Plan) => RolloutState;
  /** This is the command's last write: drop the holder. */
  release: boolean;
  /** The way back to stable: no GitOps refusal, a damaged state is overwritten. */
  rollback?: boolean;
  /** Stop whoever drives the rollout (abort) instead of refusing. */
  override?: boolean;
  /** Plan with this spec instead of the context's (rolling back an older canary subset). */
  spec?: CanarySpec;
  /** The live routing should already be this stage's (a check between transitions): a change the
   * release did not make fails the stage (DriftError), a deleted header rule is put back with a
   * warning. The state is left as recorded: pending evaluations wait for the stage's verdict. */
  expectCurrent?: boolean;
  /** Cancels the settle wait and any later write; undefined on the rollback path. */
  signal?: AbortSignal;
}

export interface Written {
  state: RolloutState;
  stage: PlannedStage;
  plan: Plan;
}

/** Writes a stage, retrying lost races (re-read, re-plan). Transient network errors are retried by
 * the adapters under their own deadline, so here they are errors. */
export async function writeStage(session: Session, request: StageWrite): Promise<Written> {
  const { ctx } = session;
  const spec = request.spec ?? ctx.spec;
  const sent: Sent = {};
  for (let conflicts = 0; ; conflicts++) {
    try {
      return await attempt(session, spec, request, sent);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      if (conflicts >= MAX_CONFLICT_RETRIES) {
        throw new ClusterError(`${routingName(spec)}: gave up after ${conflicts + 1} conflicting writes; something else keeps changing it`, { cause: e });
      }
      ctx.log.info(`${routingName(spec)} changed while writing (${describeError(e)}); re-reading and planning again`);
    }
  }
}

/** The state text of this request's last write of the state object. A stored write whose answer was lost
 * comes back as a conflict on the adapter's retry; finding our own text on the re-read means the
 * change is already made, and making it again would record a stage or an evaluation twice. */
interface Sent {
  text?: string;
}

async function attempt(session: Session, spec: CanarySpec, request: StageWrite, sent: Sent): Promise<Written> {
  const { ctx } = session;
  const live = await readLive(ctx.routing, spec, request.rollback);
  const landed = sent.text !== undefined && live.state !== undefined && live.stateObject.metadata.annotations?.[stateAnnotationKey(spec.name)] === sent.text;
  if (landed) session.wrote = true;
  // After the read the write is planned from: see holding.ts for why that order keeps two runs apart.
  await claim(session, spec.name, live.state, request.override ?? false);
  if (!request.rollback && !session.ownershipChecked) checkRouteOwner(session, live.stateObject);
  // A rollback must go through even when someone left another route invalid: it plans around
  // problems the live object already has and refuses only ones it would add.
  const plan = planLive(spec, live.objects, { tolerateExistingProblems: request.rollback === true, unchecked: live.unchecked });
  const stage = request.pick(plan);
  if (request.expectCurrent && !landed) checkDrift(session, live.stateObject, plan, stage);
  // Made at the state object's write, once every operation before it is in effect and has settled:
  // a stage's bake starts when its routing does.
  const stateNow = (): RolloutState => {
    const prev = live.state && !request.expectCurrent ? withPending(live.state, session.pending) : live.state;
    const next = { ...(landed ? live.state! : request.change(prev, stage, plan)) };
    delete next.holder; // the holder port records it; a state of an older istio-canary had it here
    return next;
  };
  const next = await applyOperations(session, spec, live, plan, stage, stateNow, sent, request.rollback === true, request.signal);
  // Every part is a Kubernetes name or a fixed text, and the loggers escape each line anyway.
  if (plan.legacyHeaderRule && !landed) ctx.log.info(backendFor(spec).legacyRuleNote(spec, stage));
  if (!request.expectCurrent) session.pending = undefined;
  if (request.release) await releaseHolder(session, spec.name);
  session.state = next;
  session.plan = plan;
  return { state: next, stage, plan };
}

/** Throws DriftError when the live routing is not the stage's; warns and goes on when only its header rule is gone. */
function checkDrift(session: Session, holder: RoutingObject, plan: Plan, stage: PlannedStage): void {
  if (!plan.liveTraffic) return;
  const { ctx } = session;
  const drift = routingDrift(plan.liveTraffic, stage);
  const owner = ctx.routing.owner(holder);
  const by = owner.kind === 'manager' ? ` (last written by "${owner.manager}")` : owner.kind === 'gitops' ? ` (by ${owner.controller})` : '';
  if (drift.changed.length > 0) {
    throw new DriftError(`${routingName(ctx.spec)}: the routing of stage ${stage.id} was changed by someone else${by}: ${drift.changed.join('; ')}; its metrics no longer judge the stage`);
  }
  if (drift.headerRuleDeleted) {
    const owned = plan.routes?.owned.length ?? 1;
    const rule = owned > 1 ? `a header rule (of the ${owned}: ${headerRuleName(ctx.spec.name)} to ${headerRuleName(ctx.spec.name, owned - 1)})` : `the header rule ${headerRuleName(ctx.spec.name)}`;
    ctx.log.warning(`${routingName(ctx.spec)}: ${rule} of stage ${stage.id} was deleted by someone else${by}; adding it back`);
  }
}

/** Refuses routing a GitOps controller reconciles; warns when taking over someone's routes. */
export function checkRouteOwner(session: Session, holder: RoutingObject): void {
  const { ctx } = session;
  const owner = ctx.routing.owner(holder);
  const name = routingName(ctx.spec);
  if (owner.kind === 'gitops') {
    const message = `${name} is managed by ${owner.controller} (${owner.evidence}), which would revert every stage on its next sync`;
    if (!ctx.options.forceConflicts) {
      throw new OwnershipError(`${message}. Release through git instead (commit mode), or set force-conflicts: true to write anyway.`);
    }
    ctx.log.warning(`${message}; writing anyway because force-conflicts is set`);
  } else if (owner.kind === 'manager') {
    ctx.log.warning(`${name}: taking over the routes last written by "${owner.manager}"`);
  }
  session.ownershipChecked = true;
}

function withState<T extends RoutingObject>(object: T, key: string, text: string): T {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [key]: text } } };
}

/** The live object differs from the desired one in what a write sets. */
function differs(live: RoutingObject | undefined, desired: RoutingObject): boolean {
  if (!live) return true;
  const meta = (o: RoutingObject) => [o.metadata.labels ?? {}, o.metadata.annotations ?? {}];
  return !jsonEqual(live.spec, desired.spec) || !jsonEqual(meta(live), meta(desired));
}

/**
 * Puts the stage's operations in place in the plan's order, each written only where the live object
 * differs and waited for until it is in effect; after a write, the settle delay passes before the
 * next one (a new subset must reach the proxies before a route sends traffic to it). Returns the
 * state written with the state object. `verifyUnchanged` (a rollback): the state object is waited for
 * even when it needs no write.
 */
async function applyOperations(session: Session, spec: CanarySpec, live: Live, plan: Plan, stage: PlannedStage, stateNow: () => RolloutState, sent: Sent, verifyUnchanged: boolean, signal?: AbortSignal): Promise<RolloutState> {
  const { clock } = session.ctx;
  const key = stateAnnotationKey(spec.name);
  const liveByRef = new Map(live.objects.map((o) => [refKey(refOf(o, spec.namespace)), o]));
  const stateKey = refKey(plan.stateObject);
  if (!stage.operations.some((op) => op.action === 'apply' && refKey(op.ref) === stateKey)) {
    throw new Error(`stage ${stage.id} does not write ${plan.stateObject.kind} ${plan.stateObject.namespace}/${plan.stateObject.name}, where the state lives`);
  }
  let next: RolloutState | undefined;
  let unsettled = false;
  for (const op of stage.operations) {
    signal?.throwIfAborted();
    const current = liveByRef.get(refKey(op.ref));
    const isState = refKey(op.ref) === stateKey;
    if (isState) {
      // The state (and the stage's start) is made only once what came before has settled.
      if (unsettled) await clock.sleep(spec.settle, signal);
      unsettled = false;
      next = stateNow();
    }
    const desired = desiredOf(op, isState ? next : undefined, key);
    if (desired ? !differs(current, desired) : current === undefined) {
      // A rollback written before may not be in effect (Istio refused the route, or had not accepted
      // it when that run gave up): rolling back again waits for it, so a retry says whether it now is.
      if (isState && verifyUnchanged && desired) await session.ctx.routing.applied(op.ref, desired, current, signal);
      continue;
    }
    if (unsettled) await clock.sleep(spec.settle, signal);
    if (isState) sent.text = desired?.metadata.annotations?.[key];
    await writeOne(session, op, current, desired, signal);
    unsettled = true;
    if (isState && session.ctx.routing.effectLags === true && next!.stageStartedAt !== live.state?.stageStartedAt) {
      // This write starts a stage, in effect only now (the GitOps sync): let Envoy catch up, then the
      // stage starts. The committed state keeps the time of the commit; this run bakes and judges from
      // the real start.
      await clock.sleep(spec.settle, signal);
      unsettled = false;
      next = { ...next!, stageStartedAt: new Date(clock.now()).toISOString() };
    }
  }
  return next!;
}

function desiredOf(op: ObjectOperation, state: RolloutState | undefined, key: string): RoutingObject | undefined {
  if (op.action === 'delete') return undefined;
  return state ? withState(op.object, key, encodeState(state)) : op.object;
}

/** One write (or delete) guarded by the live resourceVersion, then waited for until it is in effect. */
async function writeOne(session: Session, op: ObjectOperation, current: RoutingObject | undefined, desired: RoutingObject | undefined, signal?: AbortSignal): Promise<void> {
  const { routing } = session.ctx;
  if (desired === undefined) {
    await routing.delete(op.ref, current!.metadata.resourceVersion ?? '');
    session.wrote = true;
    await routing.applied(op.ref, undefined, current, signal);
    return;
  }
  const stored = await routing.write(desired);
  session.wrote = true;
  await routing.applied(op.ref, desired, stored, signal);
}
