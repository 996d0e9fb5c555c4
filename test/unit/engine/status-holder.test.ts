// `status` from another run while one drives the rollout: the holder lives in its own record, not in
// the state, and status shows it with the state, so the report still says a run is driving it.
import { expect, test } from 'vitest';
import { reportOf } from '../../../src/app/report.ts';
import type { EngineResult } from '../../../src/engine/engine.ts';
import { BAKE, world } from './harness.ts';

test('status during a run names the run that drives it; after the run nobody holds it', async () => {
  const w = world();
  let during: EngineResult | undefined;
  w.clock.at(w.clock.now() + w.spec.settle + BAKE + BAKE / 2, () => {
    w.exec('status', { holder: { id: 'run-2' } }).then((r) => (during = r));
  });
  const run = await w.exec('run');
  expect(run.status).toBe('promoted');
  expect(during).toMatchObject({ status: 'in-progress', stage: '01-mirror', state: { holder: { id: 'run-1', runUrl: 'https://github.com/acme/shop/actions/runs/1' } } });
  expect(reportOf({ spec: w.spec, state: during!.state, plan: during!.plan, at: new Date(w.clock.now()).toISOString() })).toContain('The run below is driving the release');
  // The first stage's evaluations were written with its verdict; the current stage's are still in run-1's memory.
  expect(during!.state.history.map((r) => r.evaluations.length)).toEqual([3, 0]);

  const after = await w.exec('status', { holder: { id: 'run-2' } });
  expect(after.state.holder).toBeUndefined();
  expect(w.holder()).toBeUndefined();
});
