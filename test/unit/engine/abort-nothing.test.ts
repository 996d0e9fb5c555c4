// `abort` where no release ever ran: nothing to undo, so nothing is written — no canary subset added
// to the DestinationRule (or a DestinationRule created), no weight-0 split put into the owned route.
import { expect, test } from 'vitest';
import type { DestinationRule, VirtualService } from '../../../src/istio/types.ts';
import { MemoryRouting } from '../../../src/engine/memory.ts';
import { NS, liveVirtualService, world } from './harness.ts';

test('abort with no recorded rollout and no trace of it in the routing writes nothing', async () => {
  const w = world();
  const vs = w.vs();
  const dr = w.routing.peek<DestinationRule>('DestinationRule', NS, 'catalog');
  const result = await w.exec('abort');
  expect(result.status).toBe('rolled-back');
  expect(w.routing.writeCalls).toBe(0);
  expect(w.vs()).toEqual(vs);
  expect(w.routing.peek<DestinationRule>('DestinationRule', NS, 'catalog')).toEqual(dr);
});

test('abort with no rollout does not create a DestinationRule', async () => {
  const w = world({ routing: {} });
  const routing = new MemoryRouting([liveVirtualService()]);
  await w.exec('abort', { routing });
  expect(routing.writeCalls).toBe(0);
  expect(routing.peek<DestinationRule>('DestinationRule', NS, 'catalog')).toBeUndefined();
  expect(routing.peek<VirtualService>('VirtualService', NS, 'catalog')!.metadata.annotations).toBeUndefined();
});

test('abort still rewrites a damaged state annotation (its advice says so)', async () => {
  const w = world({ vs: liveVirtualService({ annotations: { 'istio-canary.dev/catalog': '{not json' } }) });
  expect((await w.exec('abort')).status).toBe('rolled-back');
  expect(w.state()!.status).toBe('rolled-back');
});
