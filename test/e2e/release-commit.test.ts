// Commit mode on the local mesh: the routing lives in a manifest file of a real git repository, a sync
// loop playing Argo CD applies the branch head to the API server (the simulator routes by it), and the
// CLI releases by committing. Verified in git history, in the API server and in the simulator's traffic.
import { afterAll, describe, expect, it } from 'vitest';
import { ROUTING_FILE, disposeCommitRelease, newCommitRelease, routingFile, type CommitRelease } from './support/commit-fixture.ts';
import { waitFor } from '../env/cluster.ts';
import { assertOnStable, assertPromoted, canaryLiveGrowth, disposeRelease, readVs, runCli, spawnCli, stateOf, waitForSimulator, waitForStage } from './support/release-fixture.ts';
import { burstInStage, withinBinomial } from './support/traffic.ts';

const releases: CommitRelease[] = [];
afterAll(async () => {
  for (const release of releases) {
    await disposeCommitRelease(release);
    await disposeRelease(release);
  }
});

/** Subjects of the branch's commits, oldest first. */
function subjects(release: CommitRelease): string[] {
  return release.remote.bare('log', '--reverse', '--format=%s', 'main').trim().split('\n');
}

/** The VirtualService once the controller has applied the rollback commit. */
function rolledBackInCluster(release: CommitRelease) {
  return waitFor(async () => {
    const live = await readVs(release);
    return stateOf(live)?.status === 'rolled-back' ? live : undefined;
  }, { timeoutMs: 30_000, what: `${release.ns}: the rollback applied by the controller` });
}

describe('commit mode on the local mesh', () => {
  it('a full release: one commit per routing change, the simulator splits traffic as committed, promoted in git and in the cluster', async () => {
    const release = await newCommitRelease('commit-happy', { spec: { bake: '5s', settle: '300ms' }, load: { requestsPerSecond: 40, headerShare: 0.1 } });
    releases.push(release);
    const run = runCli(release, 'run');

    // Weight 10 % as the cluster runs it (applied by the controller from git): the simulator splits so.
    const vs = await waitForStage(release, '02-weight-10', 120_000);
    await waitForSimulator(release, vs);
    const shift = await burstInStage(release, '02-weight-10', 600);
    expect(withinBinomial(shift.v2, shift.v1 + shift.v2, 0.1 + 0.9 * 0.1)).toBe(true);

    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    assertPromoted(release, await readVs(release));

    // Git history: the person's initial commit, then ours, one per routing change (the canary subset,
    // five stages, the promotion), each saying what it did.
    expect(subjects(release)).toEqual([
      'initial manifests',
      'canary(catalog): update DestinationRule catalog for version-v2',
      'canary(catalog): dark launch version-v2 behind a header [1/5]',
      'canary(catalog): mirror 100% to version-v2 [2/5]',
      'canary(catalog): shift 10% to version-v2 [3/5]',
      'canary(catalog): shift 50% to version-v2 [4/5]',
      'canary(catalog): shift 100% to version-v2 [5/5]',
      'canary(catalog): promote version-v2',
    ]);
    // The file keeps every byte outside the owned route: the comment line and the admin route are as written.
    const file = release.remote.show(ROUTING_FILE);
    expect(file.split('\n')[0]).toBe(routingFile(release).split('\n')[0]);
    expect(stateOf(await readVs(release))!.status).toBe('promoted');
    // The controller applied both objects of the file at every revision it synced.
    expect(release.loop.applied.every((applied) => applied.objects === 2)).toBe(true);
  });

  it('a failed release: the rollback is a commit made at once, and the cluster and the simulator go back to stable', async () => {
    const release = await newCommitRelease('commit-fail', { spec: { bake: '8s', settle: '300ms' } });
    releases.push(release);
    const run = runCli(release, 'run');
    await waitForSimulator(release, await waitForStage(release, '02-weight-10', 120_000));
    await release.sim.setProfile(release.ns, 'catalog', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;
    expect(result.code).toBe(1);
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to version-v1');
    const body = release.remote.bare('log', '-1', '--format=%b', 'main');
    expect(body).toMatch(/^Rolled back: .*02-weight-10.*success/m);
    expect(body).toMatch(/Canary-Stage: rolled-back/);
    const vs = await readVs(release);
    assertOnStable(release, vs);
    expect(stateOf(vs)!.status).toBe('rolled-back');
    await waitForSimulator(release, vs);
    const growth = await canaryLiveGrowth(release, 2_000);
    expect(growth.after).toBe(growth.before);
  });

  it('a file hand-edited between stages: the release goes on and every byte of the edit stays', async () => {
    const release = await newCommitRelease('commit-edit', { spec: { bake: '4s', settle: '300ms' } });
    releases.push(release);
    const run = runCli(release, 'run');
    await waitForStage(release, '01-mirror', 120_000);
    // A person changes the foreign admin route and adds a comment, between two of our commits.
    const edited = release.remote.show(ROUTING_FILE).replace('prefix: /admin', 'prefix: /admin/v2 # moved by the platform team');
    release.adminRoute = { ...release.adminRoute, match: [{ uri: { prefix: '/admin/v2' } }] };
    release.remote.push({ [ROUTING_FILE]: `# reviewed by Dana\n${edited}` }, 'move the admin route');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    const file = release.remote.show(ROUTING_FILE);
    expect(file.startsWith('# reviewed by Dana\n')).toBe(true);
    expect(file).toContain('prefix: /admin/v2 # moved by the platform team');
    assertPromoted(release, await readVs(release));
    expect(subjects(release)).toContain('move the admin route');
    expect(subjects(release).at(-1)).toBe('canary(catalog): promote version-v2');
  });

  it('SIGTERM while waiting for the controller: the rollback commit lands at once and stable is applied', async () => {
    const release = await newCommitRelease('commit-sigterm', { spec: { bake: '4s', settle: '300ms' }, syncDelayMs: 3_000 });
    releases.push(release);
    const run = spawnCli(release, 'run');
    // The mirror stage's commit is pushed; the controller has not applied it yet.
    await waitFor(() => subjects(release).some((s) => s.endsWith('[2/5]')), { timeoutMs: 120_000, what: 'the mirror commit' });
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).not.toBe(0);
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to version-v1');
    const vs = await rolledBackInCluster(release);
    assertOnStable(release, vs);
  });

  it('Argo CD reports the weight-10 commit Degraded: the stage fails at once and the rollback commit lands', async () => {
    let show: (revision: string) => string = () => '';
    const release = await newCommitRelease('commit-degraded', {
      spec: { bake: '4s', settle: '300ms' },
      health: (revision) => (/weight: 10\b/.test(show(revision)) ? 'Degraded' : 'Healthy'),
    });
    releases.push(release);
    show = (revision) => release.remote.show(ROUTING_FILE, revision);
    const result = await runCli(release, 'run');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Degraded after applying our commit/);
    expect(subjects(release).slice(-2)).toEqual(['canary(catalog): shift 10% to version-v2 [3/5]', 'canary(catalog): roll back to version-v1']);
    const vs = await rolledBackInCluster(release);
    assertOnStable(release, vs);
  });

  it('syncTimeout: a commit the controller never reports in effect fails the stage, which rolls back by commit', async () => {
    let show: (revision: string) => string = () => '';
    const release = await newCommitRelease('commit-timeout', {
      spec: { bake: '4s', settle: '300ms' },
      health: (revision) => (/^\s+mirrorPercentage:/m.test(show(revision)) ? 'Progressing' : 'Healthy'),
      syncTimeout: '4s',
    });
    releases.push(release);
    show = (revision) => release.remote.show(ROUTING_FILE, revision);
    const result = await runCli(release, 'run');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/not in effect after 4s \(syncTimeout\)/);
    expect(subjects(release).slice(-2)).toEqual(['canary(catalog): mirror 100% to version-v2 [2/5]', 'canary(catalog): roll back to version-v1']);
  });

  it('across runs: start, status, advance and abort each read the state from the committed manifest', async () => {
    const release = await newCommitRelease('commit-steps', { spec: { bake: '1s', settle: '300ms' } });
    releases.push(release);
    const start = await runCli(release, 'start');
    expect(start.code, start.stderr).toBe(0);
    expect(subjects(release).at(-1)).toBe('canary(catalog): dark launch version-v2 behind a header [1/5]');
    const before = subjects(release).length;
    const status = await runCli(release, 'status', ['--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'in-progress', stageIndex: 0 });
    // Reading the state commits nothing.
    expect(subjects(release)).toHaveLength(before);
    const advance = await runCli(release, 'advance');
    expect(advance.code, advance.stderr).toBe(0);
    expect(subjects(release).at(-1)).toBe('canary(catalog): mirror 100% to version-v2 [2/5]');
    const abort = await runCli(release, 'abort');
    expect(abort.code, abort.stderr).not.toBe(2);
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to version-v1');
    assertOnStable(release, await rolledBackInCluster(release));
  });

  it('two runs on one rollout: the second stops clearly and commits nothing', async () => {
    const release = await newCommitRelease('commit-two', { spec: { bake: '6s', settle: '300ms' } });
    releases.push(release);
    const first = spawnCli(release, 'run');
    await waitForStage(release, '00-dark-launch', 120_000);
    const before = subjects(release).length;
    const second = await runCli(release, 'run');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another run drives this rollout: cli-/);
    expect(subjects(release)).toHaveLength(before);
    first.child.kill('SIGTERM');
    await first.done;
    expect(subjects(release).at(-1)).toBe('canary(catalog): roll back to version-v1');
    // Every commit of the release names the first run in its Canary-Run trailer: the second wrote none.
    const runs = new Set(release.remote.bare('log', '--format=%(trailers:key=Canary-Run,valueonly,separator=)', 'main').split('\n').filter(Boolean));
    expect(runs.size).toBe(1);
  });
});
