// One step per invocation on the real local mesh: status --json, a paused stage that `run` stops at,
// `advance` (which never skips a stage's bake), `promote` and `abort` from the middle of a release.
import { describe, expect, it } from 'vitest';
import {
  assertOnStable,
  assertPromoted,
  canaryLiveGrowth,
  disposedAfterAll,
  newRelease,
  observedTraffic,
  readVs,
  runCli,
  spawnCli,
  stateOf,
  waitForSimulator,
  waitForStage,
} from './support/release-fixture.ts';

const track = disposedAfterAll();

const PAUSED_AT_10 = [
  { darkLaunch: { headers: { 'x-istio-cohort': { exact: 'internal' } } }, bake: '3s' },
  { mirror: { percentage: 100 }, bake: '3s' },
  { weight: 10, bake: '3s', pause: true },
  { weight: 50, bake: '10m' },
  { weight: 100 },
];

describe.concurrent('release on the local mesh: step commands', () => {
  it('run stops at a paused stage; status --json shows it; advance moves on but never skips a bake; promote from the middle', async () => {
    const release = await track(newRelease('steps', { spec: { stages: PAUSED_AT_10 } }));

    const run = await runCli(release, 'run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('catalog: paused at 02-weight-10, canary weight 10%');
    const paused = await readVs(release);
    expect(stateOf(paused)).toMatchObject({ status: 'paused', stageIndex: 2 });
    expect(observedTraffic(paused)).toMatchObject({ canaryWeight: 10, headerRule: true });

    const status = await runCli(release, 'status', ['--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(stateOf(paused));

    // A second run leaves a paused rollout paused.
    const again = await runCli(release, 'run');
    expect(again.code).toBe(0);
    expect((await readVs(release)).metadata.resourceVersion).toBe(paused.metadata.resourceVersion);

    const advanced = await runCli(release, 'advance');
    expect(advanced.code).toBe(0);
    const at50 = await readVs(release);
    expect(stateOf(at50)).toMatchObject({ status: 'in-progress', stageIndex: 3 });
    expect(observedTraffic(at50).canaryWeight).toBe(50);
    // The 50 % stage bakes 10 minutes: advancing now judges it but leaves it where it is.
    const early = await runCli(release, 'advance');
    expect(early.code).toBe(0);
    expect(early.stderr).toMatch(/stage 03-weight-50 stays: it has baked \d+s of 600s/);
    expect(stateOf(await readVs(release))).toMatchObject({ status: 'in-progress', stageIndex: 3 });

    const promoted = await runCli(release, 'promote');
    expect(promoted.code).toBe(0);
    const vs = await readVs(release);
    assertPromoted(release, vs);
    expect(stateOf(vs)!.status).toBe('promoted');
    const shown = JSON.parse((await runCli(release, 'status', ['--json'])).stdout) as { status: string };
    expect(shown.status).toBe('promoted');
  });

  it('abort in the middle of a run restores stable; the run in flight stops without writing again', async () => {
    const release = await track(newRelease('abort', { spec: { bake: '5s' } }));
    const run = spawnCli(release, 'run');
    await waitForStage(release, '03-weight-50');

    const aborted = await runCli(release, 'abort');
    expect(aborted.code).toBe(0);
    const rolledBack = await readVs(release);
    assertOnStable(release, rolledBack);
    const state = stateOf(rolledBack)!;
    expect(state.status).toBe('rolled-back');
    expect(state.reason).toMatch(/^aborted by cli-/);

    const interrupted = await run.done;
    expect(interrupted.code).toBe(2);
    expect(interrupted.stderr).toContain('this run no longer drives the rollout');
    const after = await readVs(release);
    expect(after.metadata.resourceVersion).toBe(rolledBack.metadata.resourceVersion);

    // The simulator routes with the aborted VirtualService: v2 gets no live requests any more.
    await waitForSimulator(release, after);
    const growth = await canaryLiveGrowth(release, 2_000);
    expect(growth.after).toBe(growth.before);
    expect(growth.v1Growth).toBeGreaterThan(0);
  });
});
