// The one-step commands: start, advance, promote, abort, status, and pause in between.
import { describe, expect, test } from 'vitest';
import { reportOf } from '../../../src/app/report.ts';
import { InputError } from '../../../src/errors.ts';
import type { StageSpec } from '../../../src/spec/types.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { ADMIN_ROUTE, BAKE, INTERVAL, STABLE, adminRouteOf, spec, world, type Traffic } from './harness.ts';

const DARK: Traffic = { canaryWeight: 0, mirror: 0, header: true };
const MIRROR: Traffic = { canaryWeight: 0, mirror: 50, header: true };
const W10: Traffic = { canaryWeight: 10, mirror: 0, header: true };
const W50: Traffic = { canaryWeight: 50, mirror: 0, header: true };
const PROMOTED: Traffic = { canaryWeight: 100, mirror: 0, header: false };
const STAGES = [DARK, MIRROR, W10, W50];

function pausedAt(index: number) {
  const s = spec();
  s.stages = s.stages.map((stage: StageSpec, i) => ({ ...stage, pause: i === index }));
  return s;
}

/** A world whose rollout was started and advanced to stage `index` (each stage baked in full). */
async function atStage(index: number) {
  const w = world({ spec: pausedAt(index) });
  const result = await w.exec('run');
  expect(result.status).toBe(index < 0 ? 'promoted' : 'paused');
  return w;
}

describe('pause', () => {
  test('run stops after a passed stage marked pause, releases the holder, and a second run stays paused', async () => {
    const w = world({ spec: pausedAt(1) });
    const result = await w.exec('run');
    expect(result).toMatchObject({ status: 'paused', stage: '01-mirror', canaryWeight: 0 });
    expect(w.traffic()).toEqual(MIRROR);
    expect(w.holder()).toBeUndefined();
    expect(w.state()!.history[1]!.result).toBe('paused');
    const writes = w.routing.writeCalls;
    expect((await w.exec('run')).status).toBe('paused');
    expect(w.routing.writeCalls).toBe(writes);
  });

  test('advance from a pause applies the next stage; run then drives it to the end', async () => {
    const w = await atStage(1);
    const advanced = await w.exec('advance', { holder: { id: 'run-2' } });
    expect(advanced).toMatchObject({ status: 'in-progress', stage: '02-weight-10', canaryWeight: 10 });
    expect(w.holder()).toBeUndefined();
    expect(w.state()!.history[1]!.result).toBe('passed');
    expect((await w.exec('run', { holder: { id: 'run-3' } })).status).toBe('promoted');
    expect(w.written()).toEqual([DARK, MIRROR, W10, W50, PROMOTED]);
  });

  test('promote from a pause goes straight to the promoted routing', async () => {
    const w = await atStage(0);
    const result = await w.exec('promote', { holder: { id: 'run-2' } });
    expect(result).toMatchObject({ status: 'promoted', canaryWeight: 100 });
    expect(w.written()).toEqual([DARK, PROMOTED]);
  });
});

describe('start and advance', () => {
  test('start applies the first stage and returns at once', async () => {
    const w = world();
    const t0 = w.clock.now();
    const result = await w.exec('start');
    expect(result).toMatchObject({ status: 'in-progress', stage: '00-dark-launch' });
    expect(w.traffic()).toEqual(DARK);
    expect(w.clock.now() - t0).toBe(w.spec.settle);
    expect(w.holder()).toBeUndefined();
    // Starting again changes nothing.
    const writes = w.routing.writeCalls;
    expect((await w.exec('start')).stage).toBe('00-dark-launch');
    expect(w.routing.writeCalls).toBe(writes);
  });

  test('advance before the bake is over changes no routing and says how long is left', async () => {
    const w = world();
    await w.exec('start');
    w.clock.advance(BAKE / 2);
    const writes = w.routing.writeCalls;
    const result = await w.exec('advance');
    expect(result).toMatchObject({ status: 'in-progress', stage: '00-dark-launch' });
    expect(w.traffic()).toEqual(DARK);
    expect(w.log.messages('info').some((m) => m.includes('has baked 30s of 60s'))).toBe(true);
    // The early look is an interim evaluation the result shows, after the interval boundary the
    // command missed (re-judged from the metrics as they were then). Like every evaluation they are
    // written only with the stage's verdict, so the routing object is not written at all. The holder
    // is released.
    const started = Date.parse(result.state.stageStartedAt);
    expect(result.state.history[0]!.evaluations.map((e) => Date.parse(e.at) - started)).toEqual([INTERVAL, w.clock.now() - started]);
    expect(w.routing.writeCalls).toBe(writes);
    expect(w.holder()).toBeUndefined();
  });

  test('advance after the bake judges the whole bake and moves on, one stage per call', async () => {
    const w = world();
    await w.exec('start');
    for (const expected of [MIRROR, W10, W50]) {
      w.clock.advance(BAKE);
      await w.exec('advance');
      expect(w.traffic()).toEqual(expected);
    }
    w.clock.advance(BAKE);
    expect((await w.exec('advance')).status).toBe('promoted');
    expect(w.written()).toEqual([DARK, MIRROR, W10, W50, PROMOTED]);
    expect(w.queries.at(-1)).toBe('canary_health{workload="catalog-v2"}');
  });

  test('advance with failing checks rolls back even before the bake is over', async () => {
    const w = world({ health: (t) => (t.mirror > 0 ? 0 : 1) });
    await w.exec('start');
    w.clock.advance(BAKE);
    await w.exec('advance');
    w.clock.advance(INTERVAL);
    const result = await w.exec('advance');
    expect(result.status).toBe('rolled-back');
    expect(w.traffic()).toEqual(STABLE);
  });

  test('a passed stage marked pause becomes paused on advance, then the next advance moves on', async () => {
    const w = world({ spec: pausedAt(0) });
    await w.exec('start');
    w.clock.advance(BAKE);
    expect((await w.exec('advance')).status).toBe('paused');
    expect(w.traffic()).toEqual(DARK);
    expect((await w.exec('advance')).stage).toBe('01-mirror');
  });

  test('advance with nothing under way is an input error that says what to do', async () => {
    const w = world();
    const error = await w.exec('advance').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('canary.yaml command: advance: no rollout of catalog is under way on VirtualService istioinaction/catalog (no state recorded); use start or run');
  });
});

describe('abort and promote from every stage', () => {
  test.each([0, 1, 2, 3])('abort from stage %i puts all traffic on stable and keeps the foreign route', async (index) => {
    const w = await atStage(index);
    expect(w.traffic()).toEqual(STAGES[index]);
    const result = await w.exec('abort', { holder: { id: 'operator' } });
    expect(result).toMatchObject({ status: 'rolled-back', canaryWeight: 0, stage: 'rollback' });
    expect(w.traffic()).toEqual(STABLE);
    expect(adminRouteOf(w.vs())).toEqual(ADMIN_ROUTE);
    expect(w.state()!.reason).toBe('aborted by operator');
  });

  test.each([0, 1, 2, 3])('promote from stage %i sends everything to the canary and removes header rule and mirror', async (index) => {
    const w = await atStage(index);
    const result = await w.exec('promote', { holder: { id: 'operator' } });
    expect(result).toMatchObject({ status: 'promoted', canaryWeight: 100 });
    expect(w.traffic()).toEqual(PROMOTED);
    expect(adminRouteOf(w.vs())).toEqual(ADMIN_ROUTE);
  });

  test('abort goes through when someone left a foreign route invalid, and leaves that route as it is', async () => {
    const w = await atStage(3);
    const broken = { ...structuredClone(ADMIN_ROUTE), route: [{ destination: { host: 'catalog-admin', subset: 'a' }, weight: 0 }, { destination: { host: 'catalog-admin', subset: 'b' }, weight: 0 }] };
    w.routing.edit<VirtualService>('VirtualService', 'istioinaction', 'catalog', (vs) => {
      vs.spec.http![0] = structuredClone(broken);
    });
    const result = await w.exec('abort', { holder: { id: 'operator' } });
    expect(result).toMatchObject({ status: 'rolled-back', canaryWeight: 0 });
    expect(w.traffic()).toEqual(STABLE);
    expect(adminRouteOf(w.vs())).toEqual(broken);
  });

  test('rolling back twice is the same as once: the second abort writes nothing', async () => {
    const w = await atStage(2);
    await w.exec('abort');
    const vs = w.vs();
    const writes = w.routing.history.length;
    const again = await w.exec('abort', { holder: { id: 'someone-else' } });
    expect(again.status).toBe('rolled-back');
    expect(w.routing.history.length).toBe(writes);
    expect(w.vs()).toEqual(vs);
  });

  test('abort stops a run in flight: the run notices at its next write and leaves the routing alone', async () => {
    const w = world();
    const t0 = w.clock.now();
    let aborted: Promise<unknown> | undefined;
    w.clock.at(t0 + w.spec.settle + BAKE + INTERVAL / 2, () => {
      aborted = w.exec('abort', { holder: { id: 'operator' } });
    });
    const error = await w.exec('run').catch((e: unknown) => e);
    await aborted;
    // The run looks while abort holds the rollout (abort takes the holder record, rolls back, then releases it).
    expect((error as Error).message).toBe('catalog: this run no longer drives the rollout: run operator took it over. Stopping without touching the routing.');
    expect(w.traffic()).toEqual(STABLE);
    expect(w.log.messages('warning')).toContain('catalog: stopping the rollout driven by run run-1 (https://github.com/acme/shop/actions/runs/1)');
  });

  test('abort after promotion sends the route back to stable, with a warning', async () => {
    const w = world();
    await w.exec('run');
    expect((await w.exec('abort')).status).toBe('rolled-back');
    expect(w.traffic()).toEqual(STABLE);
    expect(w.log.messages('warning')).toContain('catalog: the release of version-v2 was promoted; abort sends the owned route back to version-v1');
  });

  test('promote on a promoted release changes nothing', async () => {
    const w = world();
    await w.exec('run');
    const writes = w.routing.writeCalls;
    expect((await w.exec('promote')).status).toBe('promoted');
    expect(w.routing.writeCalls).toBe(writes);
  });
});

describe('status', () => {
  test('reads the state without writing', async () => {
    const w = await atStage(2);
    const writes = w.routing.writeCalls;
    const result = await w.exec('status', { holder: { id: 'reader' } });
    expect(result).toMatchObject({ status: 'paused', stage: '02-weight-10', canaryWeight: 10 });
    expect(result.state.history).toHaveLength(3);
    expect(reportOf({ spec: w.spec, state: result.state, plan: result.plan, at: new Date(w.clock.now()).toISOString() })).toContain('catalog');
    expect(w.routing.writeCalls).toBe(writes);
  });

  test('with no rollout recorded it says so, and reports all traffic on stable', async () => {
    const w = world();
    const result = await w.exec('status');
    expect(result).toMatchObject({ status: 'rolled-back', canaryWeight: 0 });
    expect(result.state.reason).toBe('no rollout of catalog is recorded on VirtualService istioinaction/catalog');
    expect(w.routing.writeCalls).toBe(0);
  });
});
