// The way back to stable: the plan's rollback stage (owned route stable 100 / canary 0, header rule
// and mirror removed) with state "rolled-back" and the reason. Not cancelled by the signal that may
// have caused it; bounded by the writer's conflict limit and the adapter's deadline instead. Rolling back twice equals once.
import { InputError, OwnershipError, describeError } from '../errors.ts';
import { RollbackFailedError } from './rollback-error.ts';
import { describeRef, refKey } from '../plan/objects.ts';
import type { Plan, PlannedStage, RoutingObject } from '../plan/types.ts';
import { backendFor } from '../routing/registry.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { Session } from './context.ts';
import type { RolloutState } from '../core/state.ts';
import { routingName } from './live.ts';
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
