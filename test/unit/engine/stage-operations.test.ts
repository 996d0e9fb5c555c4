// A stage on the routing store: its operations in the plan's order, each in effect before the next,
// and the bake starting only once the stage's routing is in effect.
import { expect, test } from 'vitest';
import { istioRef } from '../../../src/routing/virtual-service/objects.ts';
import { NS, routingWith, world } from './harness.ts';

test('the first stage creates the canary subset, waits the settle delay, then routes to it; the bake starts then', async () => {
  const writes: Array<{ kind: string; at: number }> = [];
  const w = world({ routing: { beforeWrite: ({ object }) => void writes.push({ kind: object.kind, at: w.clock.now() }) } });
  const t0 = w.clock.now();
  await w.exec('start');
  expect(writes).toEqual([
    { kind: 'DestinationRule', at: t0 },
    { kind: 'VirtualService', at: t0 + w.spec.settle },
  ]);
  expect(Date.parse(w.state()!.stageStartedAt)).toBe(t0 + w.spec.settle);
});

test('with a writer that takes time to put changes in effect, the state is made only once every write before it is in effect and settled', async () => {
  const w = world();
  const t0 = w.clock.now();
  const inEffectAfter = 7_000;
  const inEffect: string[] = [];
  const routing = routingWith(w.routing, {
    applied: async (ref, desired, stored, signal) => {
      // A writer whose changes take a while to be in effect (a GitOps sync in commit mode).
      await w.clock.sleep(inEffectAfter, signal);
      inEffect.push(ref.kind);
      return w.routing.applied(ref, desired, stored);
    },
  });
  await w.exec('start', { routing });
  expect(inEffect).toEqual(['DestinationRule', 'VirtualService']);
  // The state is made once the DestinationRule is in effect and settled; the VirtualService carrying it
  // is then waited for too before the command goes on.
  expect(Date.parse(w.state()!.stageStartedAt)).toBe(t0 + inEffectAfter + w.spec.settle);
  expect(w.clock.now()).toBe(t0 + 2 * inEffectAfter + w.spec.settle);
});

test('promotion and rollback write only what changed: the VirtualService, the subsets stay', async () => {
  const w = world();
  await w.exec('start');
  const dr = w.routing.peek('DestinationRule', NS, 'catalog');
  const before = w.routing.history.length;
  await w.exec('promote');
  await w.exec('abort');
  expect(w.routing.history.slice(before).map((o) => o.kind)).toEqual(['VirtualService', 'VirtualService']);
  expect(w.routing.peek('DestinationRule', NS, 'catalog')).toEqual(dr);
  expect(w.routing.deleted).toEqual([]);
});

test('a rollback with no DestinationRule left creates the subsets before routing to them', async () => {
  const w = world();
  await w.exec('start');
  const dr = (await w.routing.get(istioRef('DestinationRule', NS, 'catalog')))!;
  await w.routing.delete(istioRef('DestinationRule', NS, 'catalog'), dr.metadata.resourceVersion!);
  const before = w.routing.history.length;
  await w.exec('abort');
  expect(w.routing.history.slice(before).map((o) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
  expect(w.state()).toMatchObject({ status: 'rolled-back' });
});
