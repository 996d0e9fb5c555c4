// failureLimit counts every failed evaluation of a stage, however long the stage bakes: the state
// annotation drops old evaluations to stay small, but never a failure the limit still counts.
import { expect, test } from 'vitest';
import { INTERVAL, STABLE, spec, world } from './harness.ts';

test('a third failure after many evaluations fails the stage even though older evaluations were compacted away', async () => {
  const failing = new Set([1, 2, 16]);
  let evaluation = 0;
  const w = world({
    spec: spec({ stages: [{ kind: 'weight', bake: 20 * INTERVAL, pause: false, weight: 10 }] }, { failureLimit: 3 }),
    health: () => (failing.has(++evaluation) ? 0 : 1),
  });
  const result = await w.exec('run');
  expect(evaluation).toBe(16);
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('health: failed 3 evaluation(s), limit 3');
  expect(w.traffic()).toEqual(STABLE);
});
