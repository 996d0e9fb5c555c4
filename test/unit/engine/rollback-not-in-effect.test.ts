// A rollback that is written (its state recorded) but that the mesh does not put into effect (Istio
// refuses the route, or did not accept it in time): the command fails with its own error, exit 3, that
// says so plainly with Istio's message; the state reads rolled-back and nobody holds the rollout, so
// `status` reads it and a retry can run; `abort` writes nothing new and waits for it again, failing the
// same way until Istio accepts it, then succeeding.
import { describe, expect, it } from 'vitest';
import type { ObjectRef, RoutingObject } from '../../../src/core/ports.ts';
import { decodeState } from '../../../src/core/state-codec.ts';
import { stateAnnotationKey } from '../../../src/core/state.ts';
import { RollbackFailedError, RollbackNotInEffectError } from '../../../src/engine/rollback-error.ts';
import { ClusterError, exitCodeOf, NotInEffectError } from '../../../src/errors.ts';
import { escapeInline } from '../../../src/report/escape.ts';
import { routingWith, STABLE, world } from './harness.ts';

const REFUSAL = 'VirtualService istioinaction/catalog was refused by Istio: backend(catalog-v1) not found';

/** A world whose mesh refuses every write of the rolled-back state while `refusing.now` is set. */
function refusingWorld() {
  // The canary fails as soon as it gets any traffic: the first stage rolls back.
  const w = world({ health: (t) => (t.header || t.mirror > 0 || t.canaryWeight > 0 ? 0 : 1) });
  const refusing = { now: true };
  const verified: string[] = [];
  const rolledBack = (object: RoutingObject | undefined) => object !== undefined && decodeState(object, stateAnnotationKey(w.spec.name))?.status === 'rolled-back';
  const routing = routingWith(w.routing, {
    applied: async (ref: ObjectRef, desired, stored) => {
      const record = await w.routing.applied(ref, desired, stored);
      if (!rolledBack(desired)) return record;
      verified.push(ref.kind);
      if (refusing.now) throw new NotInEffectError(REFUSAL);
      return record;
    },
  });
  return { w, routing, refusing, verified };
}

describe('a rollback written but not in effect', () => {
  it('fails the run with exit 3 and a plain message; the state reads rolled-back, nobody holds the rollout, the report says so', async () => {
    const { w, routing } = refusingWorld();
    const error = await w.exec('run', { routing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RollbackNotInEffectError);
    expect(error).not.toBeInstanceOf(RollbackFailedError);
    expect(exitCodeOf(error)).toBe(3);
    const message = (error as Error).message;
    expect(message).toContain(`catalog: the rollback is written but not in effect: ${REFUSAL}.`);
    expect(message).toContain('says rolled-back');
    expect(message).toContain('may still send traffic to version-v2');
    expect(message).toContain('then run `istio-canary abort`: it writes nothing new and waits until Istio has accepted the rollback');
    // Written as the rollback: all traffic on stable in the routing, the state rolled back.
    expect(w.traffic()).toEqual(STABLE);
    expect(w.state()).toMatchObject({ status: 'rolled-back' });
    expect(w.holder()).toBeUndefined();
    // The report says so too, and its next step is abort, not "all traffic is on stable".
    const report = w.report.published.at(-1)!;
    expect(report).toContain(`⚠️ **The rollback is written but not in effect**: ${escapeInline(REFUSAL)}`);
    expect(report).toContain('Istio has not put the rollback into effect, so traffic may still reach the canary');
    expect(report).toContain('istio-canary abort --spec');
    expect(report).not.toContain('All traffic is on stable');
  });

  it('status reads it; abort writes nothing and fails the same way while Istio refuses, then succeeds once Istio accepts', async () => {
    const { w, routing, refusing, verified } = refusingWorld();
    await w.exec('run', { routing }).catch(() => undefined);
    const writes = w.routing.history.length;
    const status = await w.exec('status', { routing });
    expect(status).toMatchObject({ status: 'rolled-back', recorded: true });

    verified.length = 0;
    const again = await w.exec('abort', { routing, holder: { id: 'run-2' } }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(RollbackNotInEffectError);
    expect((again as Error).message).toContain(REFUSAL);
    expect(verified).toEqual(['VirtualService']);
    expect(w.holder()).toBeUndefined();

    refusing.now = false;
    const abort = await w.exec('abort', { routing, holder: { id: 'run-3' } });
    expect(abort.status).toBe('rolled-back');
    expect(verified).toEqual(['VirtualService', 'VirtualService']);
    expect(w.routing.history).toHaveLength(writes);
    expect(w.holder()).toBeUndefined();
  });

  it('a rollback whose state never landed is still a failed rollback (state unknown), not this', async () => {
    const { w } = refusingWorld();
    let failing = false;
    const routing = routingWith(w.routing, {
      write: async (object) => {
        if (failing) throw new ClusterError('Could not reach the Kubernetes API server');
        return w.routing.write(object);
      },
      applied: async (ref, desired, stored) => {
        await w.routing.applied(ref, desired, stored);
        // The first stage is written; then the connection goes and Istio is said to refuse it.
        failing = true;
        throw new NotInEffectError(REFUSAL);
      },
    });
    const error = await w.exec('start', { routing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RollbackFailedError);
    expect(error).not.toBeInstanceOf(RollbackNotInEffectError);
    expect(w.state()?.status).not.toBe('rolled-back');
  });
});
