// The in-memory ports other tests rely on: resourceVersion guard, fault hooks, the fake clock.
import { describe, expect, test } from 'vitest';
import { FakeClock, MemoryRouting, nullMetrics } from '../../../src/engine/memory.ts';
import { ConflictError } from '../../../src/errors.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { liveVirtualService, NS } from './harness.ts';
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
});
