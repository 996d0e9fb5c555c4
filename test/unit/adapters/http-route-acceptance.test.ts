// The routing port's wait for Istio to accept an HTTPRoute write: accepted returns the latest read,
// a refusal fails at once with the controller's message, a silent controller fails at the deadline,
// and a later writer's generation ends the wait.
import { describe, expect, it } from 'vitest';
import { awaitAccepted } from '../../../src/adapters/http-route-acceptance.ts';
import { NotInEffectError } from '../../../src/errors.ts';
import type { RoutingObject } from '../../../src/plan/objects.ts';

const ref = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'shop', name: 'catalog' };
const parentRef = { group: '', kind: 'Service', name: 'catalog' };

function route(generation: number, status?: 'True' | 'False', observed = generation): RoutingObject {
  const parents = status === undefined ? [] : [{
    parentRef,
    controllerName: 'istio.io/gateway-controller',
    conditions: [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid', observedGeneration: observed },
      { type: 'ResolvedRefs', status, reason: status === 'True' ? 'ResolvedRefs' : 'BackendNotFound', message: 'backend(x) not found', observedGeneration: observed },
    ],
  }];
  return { apiVersion: ref.apiVersion, kind: 'HTTPRoute', metadata: { name: 'catalog', namespace: 'shop', generation, resourceVersion: String(generation * 10 + parents.length) }, spec: { parentRefs: [parentRef], rules: [] }, status: { parents } };
}

const reads = (...answers: RoutingObject[]) => {
  let i = 0;
  return async () => answers[Math.min(i++, answers.length - 1)];
};

describe('awaitAccepted', () => {
  it('waits through pending reads and returns the accepted one', async () => {
    const accepted = route(2, 'True');
    expect(await awaitAccepted(ref, route(2), reads(route(2, 'True', 1), accepted), { timeoutMs: 5_000, intervalMs: 1 })).toBe(accepted);
  });

  it("fails at once on a refusal, with the controller's message, as not in effect (the write is stored)", async () => {
    const refusal = awaitAccepted(ref, route(2), reads(route(2, 'False')), { timeoutMs: 5_000, intervalMs: 1 });
    await expect(refusal).rejects.toThrow(
      'HTTPRoute shop/catalog was refused by Istio (istio.io/gateway-controller): Service catalog: ResolvedRefs is False (BackendNotFound): backend(x) not found',
    );
    await expect(refusal).rejects.toBeInstanceOf(NotInEffectError);
  });

  it('fails at the deadline when no controller answers', async () => {
    await expect(awaitAccepted(ref, route(2), reads(route(2)), { timeoutMs: 20, intervalMs: 5 })).rejects.toBeInstanceOf(NotInEffectError);
    await expect(awaitAccepted(ref, route(2), reads(route(2)), { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(/was not accepted by Istio within 20ms \(spec.acceptanceTimeout; waiting for Accepted of Service catalog for generation 2/);
  });

  it("stops waiting when someone wrote a later generation", async () => {
    const later = route(3);
    expect(await awaitAccepted(ref, route(2), reads(later), { timeoutMs: 5_000, intervalMs: 1 })).toBe(later);
  });
});
