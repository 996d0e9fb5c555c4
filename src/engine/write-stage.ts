// Puts one planned stage on the cluster together with the state that describes it. Always plans from
// the objects just read, so a concurrent edit of another route survives; a lost race (409) re-reads,
// re-plans and retries. The state annotation rides in the same VirtualService write as the routing.
import { ClusterError, ConflictError, DriftError, OwnershipError, describeError } from '../errors.ts';
import { headerRuleMarkKey, headerRuleName } from '../istio/header-rule.ts';
import { routingDrift } from './drift.ts';
import { jsonEqual } from '../istio/clone.ts';
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import { planLive } from './plan-live.ts';
import type { Plan, PlannedStage, PlannedWrite } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { Session } from './context.ts';
import { checkHolder, holderFor } from './holder.ts';
import { readLive, vsName, type Live } from './live.ts';
import { routeOwner } from './ownership.ts';
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
  /** The live routing should already be this stage's (an evaluation, a holder renewal): a change the
   * release did not make fails the stage (DriftError), a deleted header rule is put back with a warning. */
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
        throw new ClusterError(`${vsName(spec)}: gave up after ${conflicts + 1} conflicting writes; something else keeps changing it`, { cause: e });
      }
      ctx.log.info(`${vsName(spec)} changed while writing (${describeError(e)}); re-reading and planning again`);
    }
  }
}

/** The state text of this request's last VirtualService write. A stored write whose answer was lost
 * comes back as a conflict on the adapter's retry; finding our own text on the re-read means the
 * change is already made, and making it again would record a stage or an evaluation twice. */
interface Sent {
  text?: string;
}

async function attempt(session: Session, spec: CanarySpec, request: StageWrite, sent: Sent): Promise<Written> {
  const { ctx } = session;
  const live = await readLive(ctx.routing, spec, request.rollback);
  const landed = sent.text !== undefined && live.state !== undefined && live.vs.metadata.annotations?.[stateAnnotationKey(spec.name)] === sent.text;
  if (landed) session.wrote = true;
  // Our own write is the latest one, so nobody took the rollout over (it may have released it).
  const warning = landed ? undefined : checkHolder({
    live: live.state,
    me: ctx.holder,
    now: ctx.clock.now(),
    timeoutMs: ctx.options.holderTimeoutMs,
    holding: session.holding,
    override: request.override ?? false,
    canary: spec.name,
  });
  if (warning) ctx.log.warning(warning);
  if (!request.rollback && !session.ownershipChecked) checkRouteOwner(session, live.vs);
  // A rollback must go through even when someone left another route invalid: it plans around
  // problems the live object already has and refuses only ones it would add.
  const plan = planLive(spec, live.vs, live.dr, { tolerateExistingProblems: request.rollback === true });
  const stage = request.pick(plan);
  if (request.expectCurrent && !landed) checkDrift(session, live.vs, plan, stage);
  // Made at the VirtualService write, after any settle delay: a stage's bake starts when its routing does.
  const stateNow = (): RolloutState => {
    const changed = landed ? live.state! : request.change(live.state, stage, plan);
    const next = { ...changed, holder: holderFor(ctx.holder, ctx.clock.now(), request.release) };
    if (next.holder === undefined) delete next.holder;
    return next;
  };
  const next = await applyWrites(session, spec, live, stage, stateNow, sent, request.signal);
  if (plan.legacyHeaderRule && !landed) logLegacyRule(session, spec, stage);
  session.holding = !request.release;
  session.lastWriteAt = ctx.clock.now();
  session.state = next;
  session.plan = plan;
  return { state: next, stage, plan };
}

/** Says that the unmarked header rule of a rollout started by an older istio-canary was taken for ours
 * (the state vouched for it and it is exactly the planned rule) and what this write did with it.
 * Every part is a Kubernetes name or a fixed text, and the loggers escape each line anyway. */
function logLegacyRule(session: Session, spec: CanarySpec, stage: PlannedStage): void {
  const name = headerRuleName(spec.name);
  const kept = stage.virtualService.metadata.annotations?.[headerRuleMarkKey(spec.name)] !== undefined;
  const done = kept ? `added its mark (annotation ${headerRuleMarkKey(spec.name)})` : 'removed it';
  session.ctx.log.info(
    `${vsName(spec)}: the header rule '${name}' had no mark (written by an older istio-canary); it is exactly the rule of the stage this canary's state records, so it was taken as ours and this write ${done}`,
  );
}

/** Throws DriftError when the live routing is not the stage's; warns and goes on when only its header rule is gone. */
function checkDrift(session: Session, vs: VirtualService, plan: Plan, stage: PlannedStage): void {
  if (!plan.liveTraffic) return;
  const { ctx } = session;
  const drift = routingDrift(plan.liveTraffic, stage);
  const owner = routeOwner(vs);
  const by = owner.kind === 'manager' ? ` (last written by "${owner.manager}")` : owner.kind === 'gitops' ? ` (by ${owner.controller})` : '';
  if (drift.changed.length > 0) {
    throw new DriftError(`${vsName(ctx.spec)}: the routing of stage ${stage.id} was changed by someone else${by}: ${drift.changed.join('; ')}; its metrics no longer judge the stage`);
  }
  if (drift.headerRuleDeleted) {
    ctx.log.warning(`${vsName(ctx.spec)}: the header rule ${headerRuleName(ctx.spec.name)} of stage ${stage.id} was deleted by someone else${by}; adding it back`);
  }
}

/** Refuses a VirtualService a GitOps controller reconciles; warns when taking over someone's routes. */
export function checkRouteOwner(session: Session, vs: VirtualService): void {
  const { ctx } = session;
  const owner = routeOwner(vs);
  const name = vsName(ctx.spec);
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

/** The plan's writes in order, plus a VirtualService write if the plan has none (the state must be written). */
function writesOf(stage: PlannedStage): PlannedWrite[] {
  return stage.writes.some((w) => w.kind === 'VirtualService') ? stage.writes : [...stage.writes, { kind: 'VirtualService', settleAfter: false }];
}

function withState(vs: VirtualService, key: string, text: string): VirtualService {
  return { ...vs, metadata: { ...vs.metadata, annotations: { ...vs.metadata.annotations, [key]: text } } };
}

/** Writes the stage's objects in the plan's order; returns the state written with the VirtualService. */
async function applyWrites(session: Session, spec: CanarySpec, live: Live, stage: PlannedStage, stateNow: () => RolloutState, sent: Sent, signal?: AbortSignal): Promise<RolloutState> {
  const { routing, clock } = session.ctx;
  const key = stateAnnotationKey(spec.name);
  const writes = writesOf(stage);
  let next: RolloutState | undefined;
  for (const [i, write] of writes.entries()) {
    signal?.throwIfAborted();
    let wrote = false;
    if (write.kind === 'DestinationRule') {
      if (stage.destinationRule && (!live.dr || !jsonEqual(live.dr.spec, stage.destinationRule.spec))) {
        const stored = await routing.write(stage.destinationRule);
        session.wrote = true;
        verifyStored(spec, stage.destinationRule, stored);
        wrote = true;
      }
    } else {
      next = stateNow();
      const desiredVs = withState(stage.virtualService, key, encodeState(next));
      const annotationChanged = (k: string) => live.vs.metadata.annotations?.[k] !== desiredVs.metadata.annotations?.[k];
      if (!jsonEqual(live.vs.spec, desiredVs.spec) || annotationChanged(key) || annotationChanged(headerRuleMarkKey(spec.name))) {
        sent.text = desiredVs.metadata.annotations?.[key];
        const stored = await routing.write(desiredVs);
        session.wrote = true;
        const back = await routing.get('VirtualService', spec.namespace, spec.virtualService);
        // If someone wrote after us, the write's answer is the record of what we stored.
        verifyStored(spec, desiredVs, back?.metadata.resourceVersion === stored.metadata.resourceVersion ? back : stored, key);
        wrote = true;
      }
    }
    if (wrote && write.settleAfter && i < writes.length - 1) await clock.sleep(spec.settle, signal);
  }
  return next!;
}

/** The API server must store what was written (a webhook or an old CRD schema could change it). */
function verifyStored(spec: CanarySpec, desired: VirtualService | DestinationRule, stored: VirtualService | DestinationRule | undefined, key?: string): void {
  const name = `${desired.kind} ${spec.namespace}/${desired.metadata.name}`;
  if (!stored) throw new ClusterError(`${name} disappeared right after it was written; check who deletes it`);
  const path = firstDifference(desired.spec, stored.spec, 'spec');
  const annotationOk = key === undefined || stored.metadata.annotations?.[key] === desired.metadata.annotations?.[key];
  if (path !== undefined || !annotationOk) {
    throw new ClusterError(
      `${name}: the API server stored something other than what was written (at ${path ?? `metadata.annotations["${key}"]`}); ` +
        'a mutating webhook or an older Istio CRD schema may have changed it',
    );
  }
}

/** Path of the first difference between two JSON values, or undefined when equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (jsonEqual(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const child = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`);
    if (child !== undefined) return child;
  }
  return path;
}
