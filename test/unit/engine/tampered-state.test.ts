// A state edited by hand to a stage its release does not have is named as such, by every command but
// abort (which rewrites it); a canary never released is "no rollout recorded", not "rolled back".
import { expect, test } from 'vitest';
import { outcomeLine } from '../../../src/app/outcome.ts';
import { stateAnnotationKey } from '../../../src/core/state.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { NS, spec, STABLE, world } from './harness.ts';

function tampered(stageIndex: number) {
  const s = spec();
  s.stages[2] = { ...s.stages[2]!, pause: true };
  const w = world({ spec: s });
  return { s, w, tamper: async () => {
    expect((await w.exec('run')).status).toBe('paused');
    w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
      const key = stateAnnotationKey('catalog');
      vs.metadata.annotations![key] = JSON.stringify({ ...JSON.parse(vs.metadata.annotations![key]!), stageIndex });
    });
  } };
}

test.each(['status', 'advance', 'run', 'start', 'promote'] as const)('stageIndex 99: %s names the problem and where it is', async (command) => {
  const { w, tamper } = tampered(99);
  await tamper();
  const error = await w.exec(command).then(() => undefined, (e: unknown) => e as Error);
  expect(error?.message).toBe(
    'VirtualService istioinaction/catalog metadata.annotations["istio-canary.dev/catalog"]: is paused at stageIndex 99, but this release has 4 stages (0 to 3): the state was edited by hand; run `istio-canary abort` to put all traffic back on stable and rewrite the state',
  );
});

test('abort still puts a tampered rollout back on stable', async () => {
  const { w, tamper } = tampered(99);
  await tamper();
  expect((await w.exec('abort')).status).toBe('rolled-back');
  expect(w.traffic()).toEqual(STABLE);
});

test('status of a canary never released: no rollout recorded', async () => {
  const w = world();
  const result = await w.exec('status');
  expect(result.recorded).toBe(false);
  expect(outcomeLine(w.spec, result)).toBe('catalog: no rollout recorded on VirtualService istioinaction/catalog; all traffic on stable');
});

test('status of a recorded rollout keeps the usual line', async () => {
  const { w } = tampered(0);
  expect((await w.exec('run')).status).toBe('paused');
  expect(outcomeLine(w.spec, await w.exec('status'))).toBe('catalog: paused at 02-weight-10, canary weight 10%');
});
