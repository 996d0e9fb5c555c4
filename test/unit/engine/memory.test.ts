// The in-memory ports other tests rely on: resourceVersion guard, fault hooks, the fake clock.
import { describe, expect, test } from 'vitest';
import { FakeClock, MemoryRouting, nullMetrics } from '../../../src/engine/memory.ts';
import { ClusterError, ConflictError } from '../../../src/errors.ts';
import { ownedLabels } from '../../../src/plan/objects.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { liveDestinationRule, liveVirtualService, NS } from './harness.ts';
import { istioRef } from '../../../src/routing/virtual-service/objects.ts';

describe('MemoryRouting', () => {
  test('a write with a stale resourceVersion is a ConflictError; a fresh one bumps it', async () => {
    const routing = new MemoryRouting([liveVirtualService()]);
    const live = (await routing.get<VirtualService>(istioRef('VirtualService', NS, 'catalog')))!;
    const stored = await routing.write(live);
    expect(Number(stored.metadata.resourceVersion)).toBeGreaterThan(Number(live.metadata.resourceVersion));
    await expect(routing.write(live)).rejects.toThrow(ConflictError);
  });

  test('creating an object that exists is a conflict; creating a new one works', async () => {
    const routing = new MemoryRouting([liveVirtualService()]);
    await expect(routing.write(liveVirtualService())).rejects.toThrow(ConflictError);
    const other = await routing.write(liveVirtualService({ name: 'reviews' }));
    expect(other.metadata.resourceVersion).toBeDefined();
  });

  test('writes move ownership of spec.http to the writing manager', async () => {
    const routing = new MemoryRouting([liveVirtualService({ managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:http': {}, 'f:hosts': {} } } }] })], { fieldManager: 'istio-canary' });
    const stored = await routing.write((await routing.get<VirtualService>(istioRef('VirtualService', NS, 'catalog')))!);
    expect(stored.metadata.managedFields).toEqual([
      { manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:hosts': {} } } },
      expect.objectContaining({ manager: 'istio-canary', fieldsV1: { 'f:spec': { 'f:http': {} } } }),
    ]);
  });

  test('beforeWrite can race a write with an edit', async () => {
    const routing = new MemoryRouting([liveVirtualService()], {
      beforeWrite: ({ n }, store) => {
        if (n === 1) store.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => (vs.spec.hosts = ['x']));
      },
    });
    const live = (await routing.get<VirtualService>(istioRef('VirtualService', NS, 'catalog')))!;
    await expect(routing.write(live)).rejects.toThrow(ConflictError);
    expect(routing.peek<VirtualService>('VirtualService', NS, 'catalog')!.spec.hosts).toEqual(['x']);
  });

  test('nullMetrics has no data', async () => {
    expect(await nullMetrics.query('up')).toBeUndefined();
  });
});

describe('FakeClock', () => {
  test('manual: a sleep resolves only when time is advanced past it', async () => {
    const clock = new FakeClock({ start: 0 });
    let done = false;
    const sleeping = clock.sleep(1000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(clock.now()).toBe(1000);
  });

  test('auto: a sleep jumps to its end', async () => {
    const clock = new FakeClock({ start: 0, auto: true });
    await clock.sleep(5000);
    expect(clock.now()).toBe(5000);
  });

  test('a timer at t runs before a sleep ending at t, and an abort it raises rejects the sleep at t', async () => {
    const clock = new FakeClock({ start: 0, auto: true });
    const controller = new AbortController();
    clock.at(3000, () => controller.abort(new Error('SIGTERM')));
    await expect(clock.sleep(3000, controller.signal)).rejects.toThrow('SIGTERM');
    expect(clock.now()).toBe(3000);
    await expect(clock.sleep(1, controller.signal)).rejects.toThrow('SIGTERM');
  });
  test('lists the objects of a kind and namespace that carry every label asked for', async () => {
    const ours = { ...liveDestinationRule(), metadata: { name: 'ours', namespace: NS, labels: ownedLabels('catalog') } };
    const otherCanary = { ...liveDestinationRule(), metadata: { name: 'theirs', namespace: NS, labels: ownedLabels('reviews') } };
    const elsewhere = { ...ours, metadata: { ...ours.metadata, namespace: 'other' } };
    const routing = new MemoryRouting([liveVirtualService({ labels: ownedLabels('catalog') }), liveDestinationRule(), ours, otherCanary, elsewhere]);
    const found = await routing.list(istioRef('DestinationRule', NS, ''), ownedLabels('catalog'));
    expect(found.map((o) => o.metadata.name)).toEqual(['ours']);
  });

  test('deletes only at the resourceVersion read; an object already gone is done', async () => {
    const routing = new MemoryRouting([liveDestinationRule()]);
    const ref = istioRef('DestinationRule', NS, 'catalog');
    const read = (await routing.get(ref))!;
    routing.edit('DestinationRule', NS, 'catalog', (dr) => (dr.metadata.labels = { team: 'shop' }));
    await expect(routing.delete(ref, read.metadata.resourceVersion!)).rejects.toThrow(ConflictError);
    const current = (await routing.get(ref))!;
    await routing.delete(ref, current.metadata.resourceVersion!);
    expect(await routing.get(ref)).toBeUndefined();
    expect(await routing.applied(ref, undefined, current)).toBeUndefined();
    await routing.delete(ref, current.metadata.resourceVersion!);
    expect(routing.deleted).toEqual([ref]);
  });

  test('a write is in effect once it reads back as written; otherwise applied says where it differs', async () => {
    const routing = new MemoryRouting([liveVirtualService()]);
    const ref = istioRef('VirtualService', NS, 'catalog');
    const live = (await routing.get<VirtualService>(ref))!;
    const desired = { ...live, metadata: { ...live.metadata, annotations: { note: 'ours' } } };
    const stored = await routing.write(desired);
    expect((await routing.applied(ref, desired, stored))?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    // Someone wrote since: the write's answer is the record of what was stored.
    routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => (vs.metadata.annotations = {}));
    expect((await routing.applied(ref, desired, stored))?.metadata.annotations).toEqual({ note: 'ours' });
    // A store that kept something else (a mutating webhook).
    await expect(routing.applied(ref, { ...desired, metadata: { ...desired.metadata, annotations: { note: 'changed' } } })).rejects.toThrow(
      new ClusterError(`VirtualService ${NS}/catalog: the API server stored something other than what was written (at metadata.annotations["note"]); a mutating webhook or an older Istio CRD schema may have changed it`),
    );
    await expect(routing.applied(istioRef('VirtualService', NS, 'gone'), desired)).rejects.toThrow(/disappeared right after it was written/);
  });
});
