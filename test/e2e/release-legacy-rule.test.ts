// A rollout started by an istio-canary from before the header-rule mark, on the real local mesh: its
// state annotation and header rule are there, the mark is not. This version must still read it:
// abort puts traffic back on stable, advance moves on and adds the mark.
import { describe, expect, it } from 'vitest';
import { FIELD_MANAGER } from '../../src/adapters/kubernetes-owner.ts';
import { headerRuleMark, headerRuleMarkKey } from '../../src/istio/header-rule.ts';
import type { HttpRoute as IstioHttpRoute } from '../../src/istio/types.ts';
import type { IstioObject } from '../env/cluster.ts';
import { editAs } from './support/field-manager.ts';
import {
  assertOnStable,
  canaryLiveGrowth,
  CANARY_NAME,
  disposedAfterAll,
  newRelease,
  observedTraffic,
  readVs,
  routesOf,
  runCli,
  stateOf,
  waitForSimulator,
  type Release,
} from './support/release-fixture.ts';

const track = disposedAfterAll();
const MARK = headerRuleMarkKey(CANARY_NAME);
const RULE = `${CANARY_NAME}-dark-launch`;

/** The VirtualService's annotations (the fixture's object type leaves metadata open). */
const annotationsOf = (vs: IstioObject) => (vs.metadata.annotations ?? {}) as Record<string, string>;

/** What the previous version left: the same rule and state, written by istio-canary, without the mark. */
async function dropMark(release: Release): Promise<void> {
  const before = await readVs(release);
  expect(annotationsOf(before)[MARK]).toBeDefined();
  await editAs(release.kc, { namespace: release.ns, name: 'catalog' }, FIELD_MANAGER, (vs) => {
    const { [MARK]: _, ...annotations } = annotationsOf(vs);
    return { ...vs, metadata: { ...vs.metadata, annotations } };
  });
  const legacy = await readVs(release);
  expect(annotationsOf(legacy)[MARK]).toBeUndefined();
  expect(routesOf(legacy).some((r) => r.name === RULE)).toBe(true);
  expect(stateOf(legacy)?.history.at(-1)?.headerRule).toBe(true);
}

const LEGACY_LOG = `the header rule '${RULE}' had no mark (written by an older istio-canary)`;

describe.concurrent('release on the local mesh: a rollout started before the header-rule mark', () => {
  it('abort rolls it back: no header rule, all traffic on stable', async () => {
    const release = await track(newRelease('legacy-abort', { spec: { bake: '10m' } }));
    const started = await runCli(release, 'start');
    expect(started.code).toBe(0);
    await dropMark(release);
    // The legacy rule really sends the cohort to v2.
    await waitForSimulator(release, await readVs(release));
    const during = await canaryLiveGrowth(release, 2_000);
    expect(during.after).toBeGreaterThan(during.before);

    const aborted = await runCli(release, 'abort');
    expect(aborted.stderr).not.toContain('is not this canary');
    expect(aborted.code).toBe(0);
    expect(aborted.stderr).toContain(`${LEGACY_LOG}; it is exactly the rule of the stage this canary's state records, so it was taken as ours and this write removed it`);
    const vs = await readVs(release);
    assertOnStable(release, vs);
    expect(annotationsOf(vs)[MARK]).toBeUndefined();
    expect(stateOf(vs)!.status).toBe('rolled-back');

    await waitForSimulator(release, vs);
    const after = await canaryLiveGrowth(release, 2_000);
    expect(after.after).toBe(after.before);
    expect(after.v1Growth).toBeGreaterThan(0);
  });

  it('advance moves it on and the write adds the mark to the rule it keeps', async () => {
    const stages = [
      { darkLaunch: { headers: { 'x-istio-cohort': { exact: 'internal' } } }, bake: '3s', pause: true },
      { mirror: { percentage: 100 }, bake: '10m' },
      { weight: 100 },
    ];
    const release = await track(newRelease('legacy-advance', { spec: { stages } }));
    const run = await runCli(release, 'run');
    expect(run.code).toBe(0);
    expect(stateOf(await readVs(release))).toMatchObject({ status: 'paused', stageIndex: 0 });
    await dropMark(release);

    const advanced = await runCli(release, 'advance');
    expect(advanced.stderr).not.toContain('is not this canary');
    expect(advanced.code).toBe(0);
    expect(advanced.stderr).toContain(`${LEGACY_LOG}; it is exactly the rule of the stage this canary's state records, so it was taken as ours and this write added its mark (annotation ${MARK})`);
    const vs = await readVs(release);
    expect(stateOf(vs)).toMatchObject({ status: 'in-progress', stageIndex: 1 });
    expect(observedTraffic(vs)).toMatchObject({ headerRule: true, mirrorPercentage: 100 });
    const rule = routesOf(vs).find((r) => r.name === RULE) as IstioHttpRoute;
    expect(annotationsOf(vs)[MARK]).toBe(headerRuleMark(rule));

    // Now marked, it reads as ours with no migration: status says nothing about it.
    const status = await runCli(release, 'status');
    expect(status.code).toBe(0);
    expect(status.stderr).not.toContain('had no mark');
  });
});
