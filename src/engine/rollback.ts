// The way back to stable: the plan's rollback stage (owned route stable 100 / canary 0, header rule
// and mirror removed) with state "rolled-back" and the reason. Not cancelled by the signal that may
// have caused it; bounded by the writer's conflict limit and the adapter's deadline instead. Rolling back twice equals once.
import { InputError, NotInEffectError, OwnershipError, describeError } from '../errors.ts';
import { RollbackFailedError, RollbackNotInEffectError } from './rollback-error.ts';
import { releaseHolder } from './holding.ts';
import { describeRef, refKey } from '../plan/objects.ts';
import type { Plan, PlannedStage, RoutingObject } from '../plan/types.ts';
import { backendFor } from '../routing/registry.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { Session } from './context.ts';
import type { RolloutState } from '../core/state.ts';
import { readLive, routingName } from './live.ts';
import { publish } from './result.ts';
import { releaseOf } from './steps.ts';
import { rollBack, type Release } from '../core/transitions.ts';
import { writeStage } from './write-stage.ts';

export interface RollbackOptions {
  /** Stop another run's rollout (abort) instead of refusing. */
  override?: boolean;
  /** Keep holding the rollout (supersede goes on to start the new release). */
  keepHolder?: boolean;
  /** The release being rolled back when it is not the spec's own (supersede, abort of an older version). */
  older?: { spec: CanarySpec; release: Release };
  /** Remove the release's routing entirely (the route as it was before it), not just weight 0:
   * a new release cannot plan over another subset's destination. */
  toBaseline?: boolean;
}

/** The rollback stage with the baseline routing: no destination of the rolled-back subset at all. Only
 * the state object is written: its routing goes back to the baseline, with the rollback's metadata. */
function baselineOf(plan: Plan): PlannedStage {
  const { rollback, baseline } = plan;
  const stateKey = refKey(plan.stateObject);
  const base = baseline.find((o) => o.kind === plan.stateObject.kind && o.metadata.name === plan.stateObject.name);
  const operations = rollback.operations.flatMap((op) =>
    op.action === 'apply' && refKey(op.ref) === stateKey ? [{ ...op, object: { ...(base ?? op.object), metadata: op.object.metadata }, after: [] }] : [],
  );
  return { ...rollback, operations };
}

export async function rollBackNow(session: Session, reason: string, options: RollbackOptions = {}): Promise<void> {
  const { ctx } = session;
  const spec = options.older?.spec ?? ctx.spec;
  const release = options.older?.release ?? releaseOf(session);
  ctx.log.event?.({ kind: 'stage', stage: 'rollback', summary: `all traffic back on ${spec.stable.subset}` });
  ctx.log.error(`${spec.name}: rolling back to stable: ${reason}`);
  try {
    await writeStage(session, {
      pick: (plan) => (options.toBaseline ? baselineOf(plan) : plan.rollback),
      change: (prev, stage) => rollBack(prev, release, stage, ctx.clock.now(), reason),
      release: !options.keepHolder,
      rollback: true,
      override: options.override,
      spec,
    });
  } catch (e) {
    if (e instanceof OwnershipError) throw e;
    if (e instanceof NotInEffectError) await notInEffect(session, spec, e, options);
    if (e instanceof InputError) {
      // The live objects cannot be planned (an invalid edit by someone else, or the object is gone):
      // the owned route was not written, and retrying changes nothing until that is fixed.
      throw new RollbackFailedError(
        `${spec.name}: rolling back to stable failed: the live routing cannot be planned: ${describeError(e)}. ` +
          `The owned route was not rewritten, so the routing was left as it is (the canary may still get traffic): fix that field, then run \`istio-canary abort\`.`,
        { cause: e },
      );
    }
    throw new RollbackFailedError(
      `${spec.name}: rolling back to stable failed: ${describeError(e)}. The state of the release is unknown: check the owned route of ` +
        `${routingName(spec)} (canary weight, header rule, mirror)${othersOf(spec)}, ` +
        'then run `istio-canary abort` again once the cluster answers.',
      { cause: e },
    );
  }
  ctx.log.info(`${spec.name}: rolled back: all traffic of the owned route is on ${spec.stable.subset}`);
  ctx.log.event?.({ kind: 'rolled-back', canary: spec.name, stable: spec.stable.subset, reason });
  await publish(session);
}

/**
 * The rollback's write landed but Istio has not put it into effect. When its state is recorded (the
 * next run reads rolled-back) nobody drives the rollout any more: the holder is released, the report
 * says what happened, and the error says plainly what traffic may still do and what to run once
 * Istio's complaint is fixed. Otherwise returns, and the caller reports the rollback as failed.
 */
async function notInEffect(session: Session, spec: CanarySpec, error: NotInEffectError, options: RollbackOptions): Promise<void> {
  const { ctx } = session;
  const recorded = await readLive(ctx.routing, spec, true).then(
    (live) => live.state,
    () => undefined,
  );
  if (recorded?.status !== 'rolled-back') return;
  const reason = `the rollback is written but not in effect: ${describeError(error)}`;
  session.state = recorded;
  if (!options.keepHolder) await releaseHolder(session, ctx.spec.name).catch(() => undefined);
  await publish(session, describeError(error));
  throw new RollbackNotInEffectError(
    `${spec.name}: ${reason}. Its state in ${routingName(spec)} says rolled-back (\`status\` shows it; no run resumes the release), ` +
      `but until Istio accepts the route the proxies may still send traffic to ${spec.canary.subset} as an earlier stage did, or fail requests to what Istio cannot resolve. ` +
      'Fix what Istio reports, then run `istio-canary abort`: it writes nothing new and waits until Istio has accepted the rollback.',
    { cause: error },
  );
}

/** ` and DestinationRule ns/name`: the other objects the release writes, for messages. */
function othersOf(spec: CanarySpec): string {
  const backend = backendFor(spec);
  const stateKey = refKey(backend.stateObject(spec));
  return backend.reads(spec).filter((r) => refKey(r.ref) !== stateKey).map((r) => ` and ${describeRef(r.ref)}`).join('');
}

/** The spec of an older release still recorded in the state, for rolling it back. Its subset's
 * labels come from the live routing objects, so the rollback never rewrites that subset. */
export function olderRelease(session: Session, state: Pick<RolloutState, 'canarySubset' | 'specHash' | 'routing'>, live: readonly RoutingObject[]): RollbackOptions['older'] {
  const { spec } = session.ctx;
  if (state.canarySubset === spec.canary.subset && state.specHash === session.specHash) return undefined;
  const labels = backendFor(spec).versionLabels(live, spec, state.canarySubset) ?? spec.canary.labels;
  // The route the older release owned, when its state recorded it (states of earlier versions did not).
  const { route: _current, ...rest } = spec;
  const route = state.routing ? state.routing.route : spec.route;
  return {
    spec: { ...rest, ...(route !== undefined ? { route } : {}), canary: { ...spec.canary, subset: state.canarySubset, labels } },
    release: { ...releaseOf(session), specHash: state.specHash, canarySubset: state.canarySubset, ...(state.routing ? { routing: state.routing } : {}) },
  };
}
