// A run that dies mid-bake loses the evaluations it kept in memory (they are written only with the
// stage's verdict). The run that resumes the stage re-judges every interval it missed with the
// metrics as they were then, so failureLimit counts the failures the dead run saw.
import { expect, test } from 'vitest';
import { ClusterError } from '../../../src/errors.ts';
import { HOLDER_TIMEOUT, INTERVAL, STABLE, spec, world, type World } from './harness.ts';

const BAKE = 6 * INTERVAL;

/** One 10 % stage, failureLimit 2; the canary fails at the 2nd and 4th interval of its bake. The
 * first run dies (its process is killed: no rollback lands) half-way through the 3rd interval. */
async function diedAfterOneFailure(): Promise<{ w: World; stageStart: number }> {
  let dead = false;
  let w: World | undefined;
  const s = spec({ stages: [{ kind: 'weight', bake: BAKE, pause: false, weight: 10 }] }, { failureLimit: 2 });
  w = world({
    spec: s,
    routing: { beforeWrite: () => { if (dead) throw new Error('process killed'); } },
    health: (_traffic, clock, at) => {
      if (dead) throw new Error('process killed');
      const sinceStart = (at ?? clock.now()) - Date.parse(w!.state()!.stageStartedAt);
      return sinceStart === 2 * INTERVAL || sinceStart === 4 * INTERVAL ? 0 : 1;
    },
  });
  const t0 = w.clock.now();
  w.clock.at(t0 + s.settle + 2.5 * INTERVAL, () => (dead = true));
  const writesAfterEnter = { n: 0 };
  w.clock.at(t0 + s.settle + 1, () => (writesAfterEnter.n = w!.routing.writeCalls));
  await expect(w.exec('run')).rejects.toThrow(ClusterError);
  dead = false;
  // Nothing was written while it baked: its two evaluations (one failure) died with it.
  expect(w.routing.writeCalls - 1).toBe(writesAfterEnter.n); // the failed rollback attempt
  expect(w.state()).toMatchObject({ status: 'in-progress', stageIndex: 0 });
  expect(w.state()!.history[0]!.evaluations).toEqual([]);
  return { w, stageStart: Date.parse(w.state()!.stageStartedAt) };
}

test('a restarted run re-judges the intervals it missed: the second failure reaches failureLimit 2', async () => {
  const { w, stageStart } = await diedAfterOneFailure();
  const result = await w.exec('run');
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('health: failed 2 evaluation(s), limit 2');
  expect(w.traffic()).toEqual(STABLE);
  // Written with the verdict: the re-judged intervals (1st, 2nd) and the ones it watched (3rd, 4th).
  const evaluations = w.state()!.history[0]!.evaluations;
  expect(evaluations.map((e) => (Date.parse(e.at) - stageStart) / INTERVAL)).toEqual([1, 2, 3, 4]);
  expect(evaluations.map((e) => e.decision)).toEqual(['continue', 'continue', 'continue', 'fail']);
});

test('a run taking over after the holder expired re-judges the whole bake and rolls back at the 4th interval', async () => {
  const { w, stageStart } = await diedAfterOneFailure();
  w.clock.advance(HOLDER_TIMEOUT);
  const result = await w.exec('run', { holder: { id: 'run-2' } });
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('health: failed 2 evaluation(s), limit 2');
  expect(w.state()!.history[0]!.evaluations.map((e) => (Date.parse(e.at) - stageStart) / INTERVAL)).toEqual([1, 2, 3, 4]);
});

test('without the dead run\'s failure the same canary passes: one failure of limit 2 is not enough', async () => {
  const s = spec({ stages: [{ kind: 'weight', bake: BAKE, pause: false, weight: 10 }] }, { failureLimit: 2 });
  let w: World | undefined;
  w = world({
    spec: s,
    health: (_traffic, clock, at) => ((at ?? clock.now()) - Date.parse(w!.state()!.stageStartedAt) === 4 * INTERVAL ? 0 : 1),
  });
  expect((await w.exec('run')).status).toBe('promoted');
});
