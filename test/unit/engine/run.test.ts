// `run`: the whole release on in-memory ports — the writes in order, the gates, the way back.
import { describe, expect, test } from 'vitest';
import { reportProgress } from '../../../src/app/report.ts';
import { ClusterError } from '../../../src/errors.ts';
import { ADMIN_ROUTE, BAKE, INTERVAL, STABLE, adminRouteOf, spec, world, type Traffic } from './harness.ts';

const DARK: Traffic = { canaryWeight: 0, mirror: 0, header: true };
const MIRROR: Traffic = { canaryWeight: 0, mirror: 50, header: true };
const W10: Traffic = { canaryWeight: 10, mirror: 0, header: true };
const W50: Traffic = { canaryWeight: 50, mirror: 0, header: true };
const PROMOTED: Traffic = { canaryWeight: 100, mirror: 0, header: false };
const STAGE_TRAFFIC = [DARK, MIRROR, W10, W50];

const same = (a: Traffic, b: Traffic) => a.canaryWeight === b.canaryWeight && a.mirror === b.mirror && a.header === b.header;

describe('run, all gates passing', () => {
  test('writes dark launch, mirror, 10, 50, then promotes, and keeps the foreign route', async () => {
    const w = world();
    const result = await w.exec('run');
    expect(w.written()).toEqual([DARK, MIRROR, W10, W50, PROMOTED]);
    expect(result).toMatchObject({ status: 'promoted', stage: 'promoted', canaryWeight: 100 });
    expect(adminRouteOf(w.vs())).toEqual(ADMIN_ROUTE);
    const state = w.state()!;
    expect(state.status).toBe('promoted');
    expect(w.holder()).toBeUndefined();
    expect(state.history.map((r) => [r.stage, r.result])).toEqual([
      ['00-dark-launch', 'passed'],
      ['01-mirror', 'passed'],
      ['02-weight-10', 'passed'],
      ['03-weight-50', 'passed'],
      ['promoted', 'promoted'],
    ]);
  });

  test('each stage bakes its time: two interim checks over the interval, one final over the whole bake', async () => {
    const w = world();
    const t0 = w.clock.now();
    await w.exec('run');
    const first = w.state()!.history[0]!;
    expect(first.evaluations.map((e) => Date.parse(e.at) - Date.parse(first.startedAt))).toEqual([INTERVAL, 2 * INTERVAL, BAKE]);
    expect(first.evaluations[0]!.verdicts[0]!.queries[0]!.promql).toBe('canary_health{workload="catalog-v2"}');
    // The final evaluation queries the whole bake, the interim ones one interval.
    expect(w.queries.slice(0, 3)).toEqual(Array(3).fill('canary_health{workload="catalog-v2"}'));
    // Four bakes plus the settle delay after the DestinationRule write that adds the canary subset.
    expect(w.clock.now() - t0).toBe(4 * BAKE + w.spec.settle);
  });

  test('every verdict is logged with its value, threshold and status, and the report is published at each step', async () => {
    const w = world();
    await w.exec('run');
    const lines = w.log.messages('info').filter((m) => m.includes('health'));
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('catalog 00-dark-launch interim: health pass: value 1, threshold >= 1 (1 >= 1)');
    expect(w.report.published.length).toBeGreaterThanOrEqual(5 + 12);
    expect(w.report.published.at(-1)).toContain('catalog');
  });

  test('the DestinationRule gets the canary subset before any route references it', async () => {
    const w = world();
    await w.exec('run');
    const firstVs = w.routing.history.findIndex((o) => o.kind === 'VirtualService');
    const firstDr = w.routing.history.findIndex((o) => o.kind === 'DestinationRule');
    expect(firstDr).toBeGreaterThanOrEqual(0);
    expect(firstDr).toBeLessThan(firstVs);
  });

  test('without analysis the stages just bake', async () => {
    const w = world({ spec: spec({ analysis: undefined }) });
    const result = await w.exec('run');
    expect(result.status).toBe('promoted');
    expect(w.queries).toEqual([]);
    expect(w.written()).toEqual([DARK, MIRROR, W10, W50, PROMOTED]);
  });

  test('a failing report port is a warning, never a failure', async () => {
    const w = world();
    const result = await w.exec('run', { progress: reportProgress([{ publish: async () => Promise.reject(new Error('GitHub is down')) }], { log: w.log }) });
    expect(result.status).toBe('promoted');
    expect(w.log.messages('warning')).toContain('could not publish the report: GitHub is down');
  });
});

describe('run, a gate failing', () => {
  test.each(STAGE_TRAFFIC.map((t, i) => [i, t] as const))('failing at stage %i rolls back to stable with no header rule or mirror', async (index, bad) => {
    const w = world({ health: (t) => (same(t, bad) ? 0 : 1) });
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(result.canaryWeight).toBe(0);
    expect(w.traffic()).toEqual(STABLE);
    expect(w.written()).toEqual([...STAGE_TRAFFIC.slice(0, index + 1), STABLE]);
    expect(adminRouteOf(w.vs())).toEqual(ADMIN_ROUTE);
    expect(result.failure).toContain('health');
    const state = w.state()!;
    expect(state.status).toBe('rolled-back');
    expect(state.reason).toContain(`stage ${state.history[index]!.stage}`);
    expect(state.history[index]!.result).toBe('failed');
    expect(w.holder()).toBeUndefined();
  });

  test('a failed interim check rolls back at once, without waiting for the end of the bake', async () => {
    const w = world({ health: (t) => (same(t, W10) ? 0 : 1) });
    const t0 = w.clock.now();
    await w.exec('run');
    // Two stages baked, settle once, then one interval into 10%.
    expect(w.clock.now() - t0).toBe(2 * BAKE + w.spec.settle + INTERVAL);
  });

  test('a metrics backend error is never a pass: the stage fails and rolls back', async () => {
    const w = world({ health: (t) => (same(t, MIRROR) ? 'error' : 1) });
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(w.traffic()).toEqual(STABLE);
    expect(result.failure).toContain('metrics backend error');
  });

  test('an error in the middle of a stage (a write refused) rolls back with the error as the reason', async () => {
    let writes = 0;
    const w = world({
      routing: {
        beforeWrite: ({ object }) => {
          if (object.kind === 'VirtualService' && ++writes === 4) throw new ClusterError('admission webhook denied the request', { status: 400 });
        },
      },
    });
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toContain('admission webhook denied the request');
    expect(w.traffic()).toEqual(STABLE);
  });

  test('when the rollback itself cannot be written, a ClusterError says the state is unknown and what to check', async () => {
    let down = false;
    const w = world({
      health: (t) => (same(t, W10) ? 0 : 1),
      routing: {
        beforeWrite: () => {
          if (down) throw new ClusterError('connect ECONNREFUSED 127.0.0.1:6443');
        },
      },
    });
    w.clock.at(w.clock.now() + 2 * BAKE + w.spec.settle + INTERVAL - 1, () => (down = true));
    const error = await w.exec('run').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as Error).message).toMatch(/state of the release is unknown: check the owned route of VirtualService istioinaction\/catalog/);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });
});

describe('no data', () => {
  const noDataAt = (bad: Traffic) => (t: Traffic) => (same(t, bad) ? undefined : 1);

  test('policy fail: no data at the final evaluation rolls back', async () => {
    const w = world({ spec: spec({}, { noData: 'fail' }), health: noDataAt(W50) });
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toContain('no data');
  });

  test('policy pass: no data is ignored', async () => {
    const w = world({ spec: spec({}, { noData: 'pass' }), health: noDataAt(W50) });
    expect((await w.exec('run')).status).toBe('promoted');
  });

  test('policy hold: the bake is extended up to maxHold, then the stage fails', async () => {
    const w = world({ spec: spec({}, { noData: 'hold' }), health: noDataAt(DARK) });
    const t0 = w.clock.now();
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toContain('hold expired');
    // maxHold defaults to one more bake.
    expect(w.clock.now() - t0).toBe(w.spec.settle + 2 * BAKE);
    const finals = w.state()!.history[0]!.evaluations.slice(2).map((e) => e.decision);
    expect(finals).toEqual(['hold', 'hold', 'hold', 'fail']);
  });

  test('policy hold: data arriving during the hold lets the stage pass', async () => {
    let start = 0;
    const w = world({ spec: spec({}, { noData: 'hold' }), health: (t, clock) => (same(t, DARK) && clock.now() - start < BAKE + INTERVAL ? undefined : 1) });
    start = w.clock.now() + w.spec.settle;
    const result = await w.exec('run');
    expect(result.status).toBe('promoted');
    const decisions = w.state()!.history[0]!.evaluations.map((e) => e.decision);
    expect(decisions).toEqual(['continue', 'continue', 'hold', 'continue']);
  });
});
