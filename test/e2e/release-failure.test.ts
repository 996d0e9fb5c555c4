// Failures on the real local mesh: a canary that starts failing at any stage is rolled back and the
// simulator sees live traffic leave it; no data and an unreachable Prometheus never pass.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  assertOnStable,
  assertPromoted,
  canaryLiveGrowth,
  disposedAfterAll,
  newRelease,
  readVs,
  runCli,
  stateOf,
  waitForSimulator,
  waitForStage,
} from './support/release-fixture.ts';

const STAGES = ['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100'] as const;
/** Long enough for one read of v2's live count to show growth if any live traffic still reached it. */
const QUIET_WINDOW_MS = 2_000;

const track = disposedAfterAll();

describe.concurrent('release on the local mesh: the canary fails at a stage', () => {
  it.each(STAGES)('v2 failing during %s is rolled back; live traffic leaves v2', async (stage) => {
    const release = await track(newRelease(`fail-${stage.slice(3)}`, { spec: { bake: '6s' } }));
    const run = runCli(release, 'run');
    await waitForStage(release, stage);
    await release.sim.setProfile(release.ns, 'catalog', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`catalog was rolled back`);
    const vs = await readVs(release);
    assertOnStable(release, vs);
    const state = stateOf(vs)!;
    expect(state.status).toBe('rolled-back');
    // The reason names the stage and the check, with what it measured.
    expect(state.reason).toContain(stage);
    expect(state.reason).toMatch(/success.*\d+(\.\d+)?%/);
    const failedStage = state.history.find((h) => h.result === 'failed');
    expect(failedStage?.stage).toBe(stage);
    // The evaluation that failed it keeps the measured value below the threshold, and its PromQL.
    const failing = failedStage!.evaluations.flatMap((e) => e.verdicts).find((v) => v.status === 'fail');
    expect(failing?.value).toBeLessThan(95);
    expect(failing?.queries.some((q) => q.promql.includes('catalog-v2'))).toBe(true);
    // Stages before it passed and are kept in the history.
    expect(state.history.filter((h) => h.result === 'passed').map((h) => h.stage)).toEqual(STAGES.slice(0, STAGES.indexOf(stage)));

    // The simulator routes with the rolled-back VirtualService: v2 gets no more live requests, v1 all.
    await waitForSimulator(release, vs);
    const growth = await canaryLiveGrowth(release, QUIET_WINDOW_MS);
    expect(growth.after).toBe(growth.before);
    expect(growth.v1Growth).toBeGreaterThan(0);
  });
});

describe.concurrent('release on the local mesh: no data and no metrics', () => {
  it('no requests reach the canary, policy fail: rolled back at the first stage for lack of data', async () => {
    const release = await track(
      newRelease('nodata-fail', {
        load: { requestsPerSecond: 0, headerShare: 0 },
        spec: { checks: [{ name: 'success', type: 'success-rate', min: 95, minRequests: 3, noData: 'fail' }] },
      }),
    );
    const result = await runCli(release, 'run');
    expect(result.code).toBe(1);
    const vs = await readVs(release);
    assertOnStable(release, vs);
    const state = stateOf(vs)!;
    expect(state.status).toBe('rolled-back');
    expect(state.reason).toMatch(/no data/);
    expect(state.history.find((h) => h.result === 'failed')?.stage).toBe('00-dark-launch');
    expect(state.history.flatMap((h) => h.evaluations).flatMap((e) => e.verdicts).some((v) => v.status === 'no-data')).toBe(true);
  });

  it('no requests reach the canary, policy pass: promoted', async () => {
    const release = await track(
      newRelease('nodata-pass', {
        load: { requestsPerSecond: 0, headerShare: 0 },
        spec: { bake: '2s', checks: [{ name: 'success', type: 'success-rate', min: 95, minRequests: 3, noData: 'pass' }] },
      }),
    );
    const result = await runCli(release, 'run');
    expect(result.code).toBe(0);
    const vs = await readVs(release);
    assertPromoted(release, vs);
    const state = stateOf(vs)!;
    expect(state.status).toBe('promoted');
    // Every stage was judged and found without data, and passed by policy.
    const verdicts = state.history.flatMap((h) => h.evaluations).flatMap((e) => e.verdicts);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every((v) => v.status === 'no-data')).toBe(true);
  });

  it('Prometheus unreachable (closed loopback port): never a pass, rolled back with the backend error', async () => {
    const release = await track(newRelease('prom-down'));
    const result = await runCli(release, 'run', [], { prometheusUrl: `http://127.0.0.1:${await closedPort()}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rolled back');
    const vs = await readVs(release);
    assertOnStable(release, vs);
    const state = stateOf(vs)!;
    expect(state.status).toBe('rolled-back');
    expect(state.history.some((h) => h.result === 'passed')).toBe(false);
    const verdicts = state.history.flatMap((h) => h.evaluations).flatMap((e) => e.verdicts);
    expect(verdicts.some((v) => v.status === 'pass')).toBe(false);
    expect(state.reason).toMatch(/metrics|Prometheus|127\.0\.0\.1/i);
  });
});

/** A loopback port nothing listens on: bound once to get a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
