// A split nobody recorded: the owned route already sends 20 % to the canary subset (someone shifted it by
// hand, or another tool left it mid-release). `run` refuses before writing anything, naming the weights
// and the way out; `abort` is that way out (all on stable), after which `run` starts the release.
import { expect, test } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { liveVirtualService, world } from './harness.ts';

function splitByHand(): VirtualService {
  const vs = liveVirtualService();
  vs.spec.http![1]!.route = [{ destination: { host: 'catalog', subset: 'version-v1' }, weight: 80 }, { destination: { host: 'catalog', subset: 'version-v2' }, weight: 20 }];
  return vs;
}

test('run over an unrecorded split is refused with the weights and the way out; nothing is written', async () => {
  const w = world({ vs: splitByHand() });
  const before = w.vs();
  const refused = await w.exec('run').then(() => undefined, (e: unknown) => e);
  expect(refused).toBeInstanceOf(InputError);
  expect((refused as Error).message).toBe(
    "VirtualService istioinaction/catalog: spec.http[1].route: the route already splits traffic: 80 % to the stable 'version-v1' and 20 % to the canary 'version-v2', and no istio-canary rollout of 'catalog' is recorded on the VirtualService, so starting the release would take that traffic off the canary and begin again from its first stage; to reset it, run `istio-canary abort` (or set the canary weight to 0) and then start the release; to finish it instead, set the weights by hand",
  );
  expect(w.routing.writeCalls).toBe(0);
  expect(w.vs()).toEqual(before);
});

test('abort resets it to stable; run then releases from the first stage', async () => {
  const w = world({ vs: splitByHand() });
  expect((await w.exec('abort')).status).toBe('rolled-back');
  expect(w.traffic()).toEqual({ canaryWeight: 0, mirror: 0, header: false });
  expect((await w.exec('run')).status).toBe('promoted');
});
