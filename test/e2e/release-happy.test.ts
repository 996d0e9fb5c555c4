// Happy path on the real local mesh: every stage passes and the release ends promoted; at each stage
// the simulator (and Prometheus) show the traffic the stage promises.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assertPromoted,
  disposedAfterAll,
  newRelease,
  observedTraffic,
  readDr,
  readVs,
  runCli,
  stateOf,
  waitForSimulator,
  waitForStage,
} from './support/release-fixture.ts';
import { burstInStage, promAfter, withinBinomial } from './support/traffic.ts';

const HEADER_SHARE = 0.1;
const BURST = 600;

const track = disposedAfterAll();

describe('release on the local mesh: happy path', () => {
  it('passes every stage and promotes; the simulator and Prometheus confirm the traffic of each stage', async () => {
    const release = await track(newRelease('happy', { spec: { bake: '6s' }, load: { requestsPerSecond: 40, headerShare: HEADER_SHARE } }));
    const reportFile = `${release.dir}/report.md`;
    const run = runCli(release, 'run', ['--report', reportFile]);

    // Dark launch: only the header cohort reaches v2; nothing is mirrored.
    await waitForSimulator(release, await waitForStage(release, '00-dark-launch'));
    const dark = await burstInStage(release, '00-dark-launch', BURST);
    expect(dark.v2Mirrored).toBe(0);
    expect(withinBinomial(dark.v2, dark.v1 + dark.v2, HEADER_SHARE)).toBe(true);
    const darkProm = await promAfter(release, dark.after);
    expect(darkProm.destination - darkProm.source).toBe(0);

    // Mirror: v1 answers everyone outside the cohort and every one of those requests is shadowed to v2.
    await waitForSimulator(release, await waitForStage(release, '01-mirror'));
    const mirror = await burstInStage(release, '01-mirror', BURST);
    expect(mirror.v2Mirrored).toBe(mirror.v1);
    expect(withinBinomial(mirror.v2, mirror.v1 + mirror.v2, HEADER_SHARE)).toBe(true);
    // Shadow requests are reported by the destination side only.
    const mirrorProm = await promAfter(release, mirror.after);
    expect(mirrorProm.destination - mirrorProm.source).toBeGreaterThanOrEqual(mirror.after.versions['v2']!.mirrored);

    // Shift stages: the cohort plus the weight's share of everyone else.
    for (const [stage, weight] of [['02-weight-10', 10], ['03-weight-50', 50]] as const) {
      const vs = await waitForStage(release, stage);
      expect(observedTraffic(vs)).toMatchObject({ canaryWeight: weight, stableWeight: 100 - weight, mirrorPercentage: 0 });
      await waitForSimulator(release, vs);
      const shift = await burstInStage(release, stage, BURST);
      expect(shift.v2Mirrored).toBe(0);
      const expected = HEADER_SHARE + (1 - HEADER_SHARE) * (weight / 100);
      expect({ stage, within: withinBinomial(shift.v2, shift.v1 + shift.v2, expected), v1: shift.v1, v2: shift.v2 }).toMatchObject({ stage, within: true });
      await promAfter(release, shift.after);
    }
    await waitForSimulator(release, await waitForStage(release, '04-weight-100'));
    const full = await burstInStage(release, '04-weight-100', BURST);
    expect(full.v1).toBe(0);
    expect(full.v2).toBeGreaterThanOrEqual(BURST);

    const result = await run;
    expect(result.stderr).not.toMatch(/rolling back/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('promoted');
    const report = readFileSync(reportFile, 'utf8');
    for (const stage of ['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100']) expect(report).toContain(stage);
    const vs = await readVs(release);
    assertPromoted(release, vs);
    const state = stateOf(vs)!;
    expect(state.status).toBe('promoted');
    expect(state.history.map((h) => [h.stage, h.result])).toEqual([
      ['00-dark-launch', 'passed'],
      ['01-mirror', 'passed'],
      ['02-weight-10', 'passed'],
      ['03-weight-50', 'passed'],
      ['04-weight-100', 'passed'],
      ['promoted', 'promoted'],
    ]);
    // Every stage was judged from measured values.
    for (const record of state.history.slice(0, 5)) expect(record.evaluations.at(-1)?.verdicts[0]?.status).toBe('pass');
    const subsets = (readDrSubsets(await readDr(release)));
    expect(subsets).toContain('version-v2');
    // After promotion, live traffic is v2 only.
    await waitForSimulator(release, vs);
    const after = await release.sim.send(release.ns, 'catalog', 200);
    const v1Before = after.versions['v1']!.live;
    const again = await release.sim.send(release.ns, 'catalog', 200);
    expect(again.versions['v1']!.live).toBe(v1Before);
  });
});

function readDrSubsets(dr: { spec?: Record<string, unknown> }): string[] {
  return ((dr.spec?.['subsets'] as Array<{ name: string }> | undefined) ?? []).map((s) => s.name);
}
