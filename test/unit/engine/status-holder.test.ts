// The holder record: `status` from another run shows who drives the rollout (the record is not in
// the state), and a command that writes nothing releases the record it took.
import { expect, test } from 'vitest';
import { reportOf } from '../../../src/app/report.ts';
import type { EngineResult } from '../../../src/engine/engine.ts';
import { OwnershipError } from '../../../src/errors.ts';
import { BAKE, HOLDER_TIMEOUT, liveVirtualService, world } from './harness.ts';

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

test('a command refused or cancelled before its first write leaves no holder behind to keep the next run out', async () => {
  const argo = { managedFields: [{ manager: 'argocd-controller', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:http': {} } } }] };
  const w = world({ vs: liveVirtualService(argo) });
  await expect(w.exec('run')).rejects.toThrow(OwnershipError);
  expect(w.routing.writeCalls).toBe(0);
  expect(w.holder()).toBeUndefined();
  const forced = await w.exec('start', { holder: { id: 'run-2' }, options: { holderTimeoutMs: HOLDER_TIMEOUT, supersede: false, forceConflicts: true } });
  expect(forced.status).toBe('in-progress');

  const controller = new AbortController();
  const cancelled = world();
  cancelled.holders.write = new Proxy(cancelled.holders.write, {
    apply: async (target, self, args: Parameters<typeof cancelled.holders.write>) => {
      const written = await Reflect.apply(target, self, args);
      if (args[2] !== undefined) controller.abort(new Error('cancelled by SIGTERM')); // right after taking the holder
      return written;
    },
  });
  await expect(cancelled.exec('run', { signal: controller.signal })).rejects.toThrow(/before anything was written/);
  expect(cancelled.routing.writeCalls).toBe(0);
  expect(cancelled.holder()).toBeUndefined();
});
