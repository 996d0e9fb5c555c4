// Commit mode on an HTTPRoute, in a sidecar mesh and behind an ambient waypoint: the route lives in a
// manifest file of a real git repository, a sync loop playing Argo CD applies the branch head, the
// simulator (as Istio's controller) writes its status, and the CLI releases by committing; each stage
// bakes once its commit is synced and Istio accepted the route's generation. A canary failing at any
// stage is rolled back by a commit; checked in git history, in the API server and in the simulator's
// traffic.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { disposeCommitRelease, ROUTING_FILE } from './support/commit-fixture.ts';
import { assertFileKeptButState, inClusterWith, newCommitRouteRelease, routeFile, stageIds, subjects, type CommitRouteRelease, type DataPlane } from './support/http-route-commit.ts';
import { applyCohortStealer, assertRouteRestored, readRoute, routeReleases, routeState, versionLive, waitForRouteStage } from './support/http-route-release.ts';
import { runCli } from './support/release-fixture.ts';
import { acceptedNow, withAcceptanceTimeout } from './support/route-acceptance.ts';

const track = routeReleases();
const commitReleases: CommitRouteRelease[] = [];
afterAll(async () => {
  for (const release of commitReleases) await disposeCommitRelease(release);
});

/** 6 s bakes at 40 requests/s: a 2 s window once held no cohort request on a loaded machine. */
async function newRelease(prefix: string, dataPlane: DataPlane = 'sidecar', bake = '6s'): Promise<CommitRouteRelease> {
  const release = (await track(newCommitRouteRelease(`${prefix}-${dataPlane === 'waypoint' ? 'wp' : 'sc'}`, dataPlane, { spec: { bake, settle: '300ms' } }))) as CommitRouteRelease;
  commitReleases.push(release);
  return release;
}

/** What each stage's commit says, in order. */
function stageSubjects(dataPlane: DataPlane): string[] {
  const steps = dataPlane === 'waypoint' ? ['dark launch catalog-v2 behind a header', 'shift 10% to catalog-v2', 'shift 50% to catalog-v2', 'shift 100% to catalog-v2'] : ['dark launch catalog-v2 behind a header', 'mirror 100% to catalog-v2', 'shift 10% to catalog-v2', 'shift 50% to catalog-v2', 'shift 100% to catalog-v2'];
  return steps.map((s, i) => `canary(catalog): ${s} [${i + 1}/${steps.length}]`);
}

/** After the rollback the cluster serves no live request from v2. */
async function assertNoCanaryTraffic(release: CommitRouteRelease): Promise<void> {
  const before = await release.sim.stats(release.ns, 'catalog');
  const after = await release.sim.send(release.ns, 'catalog', 100);
  expect(versionLive(after, release.ns, 'v2')).toBe(versionLive(before, release.ns, 'v2'));
}

describe.concurrent('commit mode on an HTTPRoute', () => {
  it.each(['sidecar', 'waypoint'] as const)('%s: a full release: one commit per stage, each accepted by Istio before it bakes, promoted in git, in the cluster and in traffic', async (dataPlane) => {
    const release = await newRelease('hr-commit-ok', dataPlane);
    const reportFile = `${release.dir}/report.md`;
    const result = await runCli(release, 'run', ['--report', reportFile]);
    expect(result.code, result.stderr).toBe(0);
    expect(subjects(release)).toEqual(['initial manifests', ...stageSubjects(dataPlane), 'canary(catalog): promote catalog-v2']);
    // The file keeps every byte outside the owned rule: the comment and the foreign rule as written.
    const file = release.remote.show(ROUTING_FILE);
    expect(file.split('\n')[0]).toBe(routeFile(release.ns).split('\n')[0]);
    expect(file).toContain('value: /healthz');
    // The report names the reporter the data plane in use produces.
    const report = readFileSync(reportFile, 'utf8');
    expect(report).toContain(`HTTPRoute ${release.ns}/catalog`);
    expect(report).toContain(dataPlane === 'waypoint' ? 'reporter="waypoint"' : 'reporter="destination"');
    // The controller applied the promotion; Istio (the simulator) accepted that generation.
    const route = await inClusterWith(release, 'promoted');
    const main = route.spec.rules!.find((r) => r.name === 'main')!;
    expect(main.backendRefs!.map((b) => [b.name, b.weight])).toEqual([['catalog-v2', 1]]);
    expect(route.spec.rules!.find((r) => r.name === 'health')).toEqual(release.initialRoute.spec.rules![0]);
    expect(acceptedNow(route)).toBe(true);
    const before = await release.sim.stats(release.ns, 'catalog');
    const after = await release.sim.send(release.ns, 'catalog', 100);
    expect(versionLive(after, release.ns, 'v1')).toBe(versionLive(before, release.ns, 'v1'));
    expect(versionLive(after, release.ns, 'v2')).toBeGreaterThan(versionLive(before, release.ns, 'v2'));
  }, 300_000);

  const failing = (['sidecar', 'waypoint'] as const).flatMap((dataPlane) => stageIds(dataPlane).map((stage) => [dataPlane, stage] as const));
  it.each(failing)('%s: v2 failing during %s: rolled back by a commit, the cluster route restored rule for rule, the file as it was, no v2 traffic', async (dataPlane, stage) => {
    const release = await newRelease('hr-commit-fail', dataPlane);
    const run = runCli(release, 'run');
    await waitForRouteStage(release, stage, 180_000);
    await release.sim.setProfile(release.ns, 'catalog-v2', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('catalog was rolled back');
    const index = stageIds(dataPlane).indexOf(stage);
    expect(subjects(release)).toEqual(['initial manifests', ...stageSubjects(dataPlane).slice(0, index + 1), 'canary(catalog): roll back to catalog-v1']);
    expect(assertFileKeptButState(release).join('\n')).toContain('rolled-back');
    const route = await inClusterWith(release, 'rolled-back');
    assertRouteRestored(release, route);
    expect(routeState(route)!.history.find((h) => h.result === 'failed')?.stage).toBe(stage);
    await assertNoCanaryTraffic(release);
  }, 300_000);

  it('across runs: start, status, advance and abort each read the state from the committed route', async () => {
    const release = await newRelease('hr-commit-steps', 'sidecar', '1s');
    const start = await runCli(release, 'start');
    expect(start.code, start.stderr).toBe(0);
    expect(subjects(release).at(-1)).toBe(stageSubjects('sidecar')[0]);
    expect(routeState(await inClusterWith(release, 'in-progress'))?.stageIndex).toBe(0);
    const before = subjects(release).length;
    const status = await runCli(release, 'status', ['--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'in-progress', stageIndex: 0 });
    // Reading the state commits nothing.
    expect(subjects(release)).toHaveLength(before);
    // The 1 s bake is over by now: advance judges the dark launch and moves on to the mirror.
    const advance = await runCli(release, 'advance');
    expect(advance.code, advance.stderr).toBe(0);
    expect(subjects(release).at(-1)).toBe(stageSubjects('sidecar')[1]);
    const moved = await runCli(release, 'status', ['--json']);
    expect(JSON.parse(moved.stdout)).toMatchObject({ status: 'in-progress', stageIndex: 1 });
    const abort = await runCli(release, 'abort');
    expect(abort.code, abort.stderr).toBe(0);
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to catalog-v1');
    assertRouteRestored(release, await inClusterWith(release, 'rolled-back'));
    assertFileKeptButState(release);
    await assertNoCanaryTraffic(release);
  }, 300_000);

  it("a route Istio refuses (the canary Service does not exist): the synced commit is not in effect, the run fails with the controller's message and rolls back by a commit", async () => {
    const release = await newRelease('hr-commit-refused');
    await release.sim.deleteService(release.ns, 'catalog-v2');
    const result = await runCli(release, 'run');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`backend(catalog-v2.${release.ns}.svc.cluster.local) not found`);
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to catalog-v1');
    const route = await inClusterWith(release, 'rolled-back');
    assertRouteRestored(release, route);
  });

  it('a rollback Istio refuses (the stable Service deleted mid-release): the run says the rollback is committed but not in effect, exits 3, and once the Service is back `abort` waits for Istio to accept it', async () => {
    const release = await newRelease('hr-commit-unaccepted');
    const run = runCli(release, 'run');
    await waitForRouteStage(release, '02-weight-10', 180_000);
    await release.sim.deleteService(release.ns, 'catalog-v1');
    await release.sim.setProfile(release.ns, 'catalog-v2', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;
    expect(result.code, result.stderr).toBe(3);
    const sha = release.remote.bare('rev-parse', 'main').trim().slice(0, 12);
    expect(result.stderr).toContain(`catalog: the rollback is written but not in effect: commit ${sha} is synced, but HTTPRoute ${release.ns}/catalog was refused by Istio (istio.io/gateway-controller): Service catalog:80: ResolvedRefs is False (BackendNotFound): backend(catalog-v1.${release.ns}.svc.cluster.local) not found`);
    expect(result.stderr).toContain('then run `istio-canary abort`');
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to catalog-v1');
    const committed = subjects(release).length;
    // The next run reads the state: rolled back, and nobody holds the rollout.
    const status = await runCli(release, 'status', ['--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'rolled-back' });
    expect(JSON.parse(status.stdout).holder).toBeUndefined();
    // Still refused: abort commits nothing and says so again.
    const refused = await runCli(release, 'abort');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('backend(catalog-v1.');
    // The Service is back: Istio accepts the route, and abort, writing nothing, says it is in effect.
    await release.sim.putService(release.ns, 'catalog-v1', { versions: [{ name: 'v1', labels: { app: 'catalog', version: 'v1' }, workload: 'catalog-v1' }] });
    const abort = await runCli(release, 'abort');
    expect(abort.code, abort.stderr).toBe(0);
    expect(subjects(release)).toHaveLength(committed);
    const route = await inClusterWith(release, 'rolled-back');
    assertRouteRestored(release, route);
    await assertNoCanaryTraffic(release);
  }, 300_000);

  it('Istio silent in the namespace: the synced dark launch is not accepted within acceptanceTimeout (2s), nor is the rollback commit: exit 3 saying so; once Istio answers, abort finds it accepted', async () => {
    const release = await newRelease('hr-commit-silent');
    withAcceptanceTimeout(release.specFile, '2s');
    await release.sim.setGatewayController(release.ns, false);
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(3);
    expect(subjects(release)).toEqual(['initial manifests', stageSubjects('sidecar')[0], 'canary(catalog): roll back to catalog-v1']);
    const sha = release.remote.bare('rev-parse', 'main').trim().slice(0, 12);
    expect(result.stderr).toContain(`catalog: the rollback is written but not in effect: commit ${sha} is synced, but HTTPRoute ${release.ns}/catalog was not accepted by Istio within 2s (spec.acceptanceTimeout; waiting for Accepted of Service catalog:80 for generation`);
    const stored = await inClusterWith(release, 'rolled-back');
    expect(acceptedNow(stored)).toBe(false);
    await release.sim.setGatewayController(release.ns, true);
    const abort = await runCli(release, 'abort');
    expect(abort.code, abort.stderr).toBe(0);
    expect(subjects(release)).toHaveLength(3);
    const route = await readRoute(release);
    expect(route.metadata.generation).toBe(stored.metadata.generation);
    expect(acceptedNow(route)).toBe(true);
    assertRouteRestored(release, route);
    await assertNoCanaryTraffic(release);
  }, 240_000);

  it('another HTTPRoute only in the cluster (not in the repository) that would take part of the cohort: refused naming it, nothing committed', async () => {
    const release = await newRelease('hr-commit-sibling');
    await applyCohortStealer(release);
    const result = await runCli(release, 'run');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`HTTPRoute ${release.ns}/tenant-gold spec.rules[0].matches[0] ranks between the dark-launch match and the owned match`);
    expect(subjects(release)).toEqual(['initial manifests']);
  });
});
