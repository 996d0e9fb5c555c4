// The post step's abort rolls back only the rollout its own main step was driving: a main step that
// died before writing (an API timeout, a kill) must not undo a promoted release or another run's rollout.
import { expect, test } from 'vitest';
import { ClusterError } from '../../../src/errors.ts';
import { BAKE, HOLDER_TIMEOUT, STABLE, world } from './harness.ts';

const POST = { holderTimeoutMs: HOLDER_TIMEOUT, supersede: false, forceConflicts: false, onlyOwnRollout: true };

/** run-1 dies in the 10% stage, leaving its holder recorded. */
async function diedMidRelease() {
  let dead = false;
  const w = world({ routing: { beforeWrite: () => void (dead && (() => { throw new Error('process killed'); })()) } });
  w.clock.at(w.clock.now() + w.spec.settle + 2 * BAKE + BAKE / 2 + 1, () => (dead = true));
  await expect(w.exec('run')).rejects.toThrow(ClusterError);
  dead = false;
  return w;
}

test("another job's post step leaves a rollout driven by run-1 alone", async () => {
  const w = await diedMidRelease();
  const writes = w.routing.writeCalls;
  const result = await w.exec('abort', { holder: { id: 'run-2' }, options: POST });
  expect(w.routing.writeCalls).toBe(writes);
  expect(result).toMatchObject({ status: 'in-progress', stage: '02-weight-10', canaryWeight: 10 });
  expect(w.state()).toMatchObject({ status: 'in-progress', stageIndex: 2 });
  expect(w.holder()).toMatchObject({ id: 'run-1' });
  expect(w.traffic().canaryWeight).toBe(10);
});

test('a post step never rolls back a promoted release', async () => {
  const w = world();
  expect((await w.exec('run')).status).toBe('promoted');
  const writes = w.routing.writeCalls;
  const result = await w.exec('abort', { holder: { id: 'run-2' }, options: POST });
  expect(w.routing.writeCalls).toBe(writes);
  expect(result.status).toBe('promoted');
  expect(w.traffic().canaryWeight).toBe(100);
});

test("the post step of the run that died rolls its rollout back", async () => {
  const w = await diedMidRelease();
  const result = await w.exec('abort', { options: POST });
  expect(result.status).toBe('rolled-back');
  expect(w.traffic()).toEqual(STABLE);
  expect(w.holder()).toBeUndefined();
});
