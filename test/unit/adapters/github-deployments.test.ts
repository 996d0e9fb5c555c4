// Deployments against the GitHub double, which checks every request and answer against GitHub's
// OpenAPI description.
import { getOctokit } from '@actions/github';
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_TASK, createDeploymentTracker, deploymentStateOf } from '../../../src/adapters/github-deployments.ts';
import { findPullRequestOfCommit } from '../../../src/adapters/github.ts';
import { DOUBLE_REPO } from '../../support/github-double.ts';
import { useGitHubDouble } from '../../support/github-double-hooks.ts';

const fixture = useGitHubDouble();
const RUN = 'https://github.com/acme/shop/actions/runs/9';

function tracker(version = 'version-v2', sha = 'a'.repeat(40), where: { environment?: string; canary?: string } = {}) {
  const octokit = getOctokit('test-token', { baseUrl: fixture.double.baseUrl });
  return createDeploymentTracker({ octokit, ...DOUBLE_REPO, environment: where.environment ?? 'production', sha, canary: where.canary ?? 'catalog', version, runUrl: RUN, log: fixture.log });
}

// The first request compiles GitHub's OpenAPI description: slow on a loaded machine.
describe('deployments', { timeout: 60_000 }, () => {
  it('one deployment per released version: in_progress across commands, then success', async () => {
    await tracker().record('in_progress', 'start');
    // A later run (advance, then promote) finds the same deployment rather than opening another.
    await tracker(undefined, 'b'.repeat(40)).record('in_progress', 'advance');
    await tracker(undefined, 'c'.repeat(40)).record('success', 'promoted');
    expect(fixture.double.deployments).toHaveLength(1);
    const [d] = fixture.double.deployments;
    expect(d).toMatchObject({ task: DEPLOYMENT_TASK, environment: 'production', ref: 'a'.repeat(40), payload: { canary: 'catalog', version: 'version-v2' } });
    expect(d!.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'success']);
    expect(d!.statuses.every((s) => s.logUrl === RUN)).toBe(true);
    expect(fixture.warnings).toEqual([]);
  });

  it('a rolled-back release ends in failure, an aborted one inactive; the next release opens a new deployment', async () => {
    await tracker().record('in_progress', 'run');
    await tracker().record(deploymentStateOf('rolled-back', 'run'), 'rolled back');
    await tracker().record('in_progress', 'run again');
    await tracker().record(deploymentStateOf('rolled-back', 'abort'), 'aborted');
    expect(fixture.double.deployments.map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', 'failure'], ['in_progress', 'inactive']]);
  });

  it('in an environment other services share, a promotion retires only this canary\'s earlier version', async () => {
    const staging = { environment: 'staging' };
    await tracker('version-v2', undefined, staging).record('success', 'catalog v2 promoted');
    await tracker('version-v7', undefined, { ...staging, canary: 'reviews' }).record('success', 'reviews v7 promoted');
    await tracker('version-v3', undefined, staging).record('success', 'catalog v3 promoted');
    expect(fixture.double.deployments.map((d) => [d.payload, d.statuses.map((s) => s.state)])).toEqual([
      [{ canary: 'catalog', version: 'version-v2' }, ['success', 'inactive']],
      [{ canary: 'reviews', version: 'version-v7' }, ['success']],
      [{ canary: 'catalog', version: 'version-v3' }, ['success']],
    ]);
  });

  it('a promoted version makes the one promoted before it inactive, in production too (where GitHub\'s auto_inactive does not)', async () => {
    await tracker('version-v2').record('success', 'promoted');
    await tracker('version-v3').record('in_progress', 'start');
    await tracker('version-v3').record('success', 'promoted');
    expect(fixture.double.deployments.map((d) => d.statuses.map((s) => s.state))).toEqual([['success', 'inactive'], ['in_progress', 'success']]);
  });

  it('an abort with no open deployment opens none', async () => {
    await tracker().record('inactive', 'aborted', false);
    expect(fixture.double.deployments).toEqual([]);
    expect(fixture.double.requests.map((r) => r.operationId)).toEqual(['repos/list-deployments']);
  });

  it('an abort that undoes a promoted version ends its deployment: inactive, not left active', async () => {
    await tracker().record('in_progress', 'run');
    await tracker().record('success', 'promoted', false);
    // abort: nothing open to mark in progress, then the promoted deployment is made inactive.
    const abort = tracker(undefined, 'd'.repeat(40));
    await abort.record('in_progress', 'abort', false);
    await abort.record(deploymentStateOf('rolled-back', 'abort'), 'aborted', false);
    expect(fixture.double.deployments.map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', 'success', 'inactive']]);
    // A failure or error never lands on a promoted deployment.
    await tracker().record('failure', 'post step', false);
    expect(fixture.double.deployments[0]!.statuses).toHaveLength(3);
  });

  it('knows whether it opened the deployment or found the one another run is releasing', async () => {
    const first = tracker();
    await first.record('in_progress', 'run');
    const second = tracker(undefined, 'e'.repeat(40));
    await second.record('in_progress', 'run (refused: another run drives it)');
    expect([first.opened, second.opened]).toEqual([true, false]);
    expect(fixture.double.deployments).toHaveLength(1);
  });

  it('maps every rollout status', () => {
    expect(deploymentStateOf('promoted', 'promote')).toBe('success');
    expect(deploymentStateOf('paused', 'run')).toBe('in_progress');
    expect(deploymentStateOf('in-progress', 'start')).toBe('in_progress');
    expect(deploymentStateOf('rolled-back', 'advance')).toBe('failure');
    expect(deploymentStateOf('rolled-back', 'abort')).toBe('inactive');
  });

  it('warns and goes on when the token may not write deployments (a fork, or no deployments: write)', async () => {
    fixture.double.failOperation('repos/create-deployment', 403);
    await expect(tracker().record('in_progress', 'start')).resolves.toBeUndefined();
    expect(fixture.warnings).toHaveLength(1);
    expect(fixture.warnings[0]).toContain('deployments: write');
    expect(fixture.double.deployments).toEqual([]);
  });
});

describe('the pull request of a commit', () => {
  const octokit = () => getOctokit('test-token', { baseUrl: fixture.double.baseUrl });
  const sha = 'd'.repeat(40);

  it('finds the PR merged as this commit (a push to main after the merge)', async () => {
    fixture.double.associatePullRequest(sha, 3, { state: 'closed' });
    fixture.double.associatePullRequest(sha, 5, { state: 'closed', merged: true });
    expect(await findPullRequestOfCommit({ octokit: octokit(), ...DOUBLE_REPO, sha, log: fixture.log })).toBe(5);
    expect(fixture.double.requests.map((r) => r.operationId)).toEqual(['repos/list-pull-requests-associated-with-commit']);
  });

  it('finds none for a commit outside any PR, and warns (not fails) when it cannot look', async () => {
    expect(await findPullRequestOfCommit({ octokit: octokit(), ...DOUBLE_REPO, sha, log: fixture.log })).toBeUndefined();
    expect(fixture.warnings).toEqual([]);
    fixture.double.failOperation('repos/list-pull-requests-associated-with-commit', 403);
    expect(await findPullRequestOfCommit({ octokit: octokit(), ...DOUBLE_REPO, sha, log: fixture.log })).toBeUndefined();
    expect(fixture.warnings[0]).toContain(`commit ${sha.slice(0, 12)}`);
  });
});
