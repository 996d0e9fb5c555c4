import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatchWorkflowInput, githubSurface, workflowFileOf } from '../../../src/action/github-surface.ts';
import { InputError } from '../../../src/errors.ts';
import { DOUBLE_REPO } from '../../support/github-double.ts';
import { useGitHubDouble } from '../../support/github-double-hooks.ts';

describe('workflowFileOf', () => {
  it('takes the file name from GITHUB_WORKFLOW_REF', () => {
    expect(workflowFileOf('acme/shop/.github/workflows/canary-dispatch.yml@refs/heads/main')).toBe('canary-dispatch.yml');
    expect(workflowFileOf('acme/shop/.github/workflows/release.yaml@refs/pull/3/merge')).toBe('release.yaml');
  });
  it('is undefined without a workflow file (not on GitHub)', () => {
    expect(workflowFileOf(undefined)).toBeUndefined();
    expect(workflowFileOf('')).toBeUndefined();
    expect(workflowFileOf('acme/shop/dynamic/pages@x')).toBeUndefined();
  });
});

describe('the dispatch-workflow input', () => {
  it('takes a file name, or a path in the repository, as the file name the form\'s URL needs', () => {
    expect(dispatchWorkflowInput('canary-dispatch.yml')).toBe('canary-dispatch.yml');
    expect(dispatchWorkflowInput(' .github/workflows/canary-dispatch.yaml ')).toBe('canary-dispatch.yaml');
    expect(dispatchWorkflowInput('')).toBeUndefined();
  });
  it('refuses anything else, naming the input and what was expected', () => {
    expect(() => dispatchWorkflowInput('canary-dispatch')).toThrow('input dispatch-workflow: expected the file name of a workflow in .github/workflows, such as canary-dispatch.yml, got "canary-dispatch"');
    expect(() => dispatchWorkflowInput('https://github.com/acme/shop/actions/workflows/x')).toThrow(InputError);
  });
});

describe('what the action writes on GitHub', () => {
  const fixture = useGitHubDouble();
  const variables = ['INPUT_GITHUB-TOKEN', 'INPUT_ENVIRONMENT', 'INPUT_DISPATCH-WORKFLOW', 'GITHUB_WORKFLOW_REF'];
  const sha = 'c'.repeat(40);

  beforeEach(() => {
    process.env['INPUT_GITHUB-TOKEN'] = 'ghs_test';
    process.env['INPUT_ENVIRONMENT'] = 'production';
    process.env['GITHUB_WORKFLOW_REF'] = 'acme/shop/.github/workflows/release.yml@refs/heads/main';
  });
  afterEach(() => {
    for (const name of variables) delete process.env[name];
  });

  /** The slice of @actions/github that githubSurface reads, with the event under test. */
  function github(eventName: string, payload: Record<string, unknown>) {
    const context = { eventName, payload, sha, repo: DOUBLE_REPO, serverUrl: 'https://github.com' };
    return { context, getOctokit: (token: string) => getOctokit(token, { baseUrl: fixture.double.baseUrl }) } as unknown as typeof import('@actions/github');
  }

  const options = () => ({ canary: 'catalog', version: 'version-v2', runUrl: 'https://github.com/acme/shop/actions/runs/1', log: fixture.log });

  it('a pull request from a fork: warned once, no comment, no deployment, not a request to GitHub', async () => {
    const payload = { pull_request: { number: 9, head: { repo: { full_name: 'mallory/shop', fork: true } }, base: { repo: { full_name: 'acme/shop' } } } };
    const surface = await githubSurface(github('pull_request', payload), options());
    expect(surface.reports).toHaveLength(1); // the job summary
    expect(surface.deployment).toBeUndefined();
    expect(fixture.warnings).toEqual([expect.stringContaining('comes from a fork: its token is read-only')]);
    expect(fixture.double.requests).toEqual([]);
  });

  it('a fork\'s pull_request_target runs with the base repository\'s token: it comments', async () => {
    const payload = { pull_request: { number: 9, head: { repo: { full_name: 'mallory/shop', fork: true } }, base: { repo: { full_name: 'acme/shop' } } } };
    const surface = await githubSurface(github('pull_request_target', payload), options());
    expect(surface.reports).toHaveLength(2);
    expect(surface.deployment).toBeDefined();
    expect(fixture.warnings).toEqual([]);
  });

  it('a token GitHub refuses (403 "Resource not accessible by integration") is warned about once, then left alone', async () => {
    fixture.double.failOperation('issues/create-comment', 403);
    fixture.double.failOperation('repos/create-deployment', 403);
    const payload = { pull_request: { number: 9, head: { repo: { full_name: 'acme/shop', fork: false } }, base: { repo: { full_name: 'acme/shop' } } } };
    const surface = await githubSurface(github('pull_request', payload), options());
    // A release publishes its report at every stage and records the deployment at start and end.
    for (let stage = 0; stage < 4; stage++) await surface.reports[1]!.publish(`report ${stage}`);
    await surface.deployment!.record('in_progress', 'run');
    await surface.deployment!.record('success', 'promoted', false);
    expect(fixture.warnings).toEqual([expect.stringContaining('(HTTP 403)'), expect.stringContaining('deployments: write')]);
    expect(fixture.double.requests.map((r) => r.operationId)).toEqual(['issues/list-comments', 'issues/create-comment', 'repos/list-deployments', 'repos/create-deployment']);
  });

  it('a pull request of the repository itself: comment and deployment, links to the running workflow\'s form', async () => {
    const payload = { pull_request: { number: 9, head: { repo: { full_name: 'acme/shop', fork: false } }, base: { repo: { full_name: 'acme/shop' } } } };
    const surface = await githubSurface(github('pull_request', payload), options());
    expect(surface.reports).toHaveLength(2);
    expect(surface.deployment).toBeDefined();
    expect(surface.links).toEqual({ runUrl: 'https://github.com/acme/shop/actions/runs/1', dispatch: { owner: 'acme', repo: 'shop', workflowFile: 'release.yml', serverUrl: 'https://github.com' } });
    await surface.reports[1]!.publish('report');
    expect(fixture.double.comments.map((c) => c.issueNumber)).toEqual([9]);
  });

  it('a push naming no PR comments on the PR merged as its commit; the dispatch-workflow input wins', async () => {
    process.env['INPUT_DISPATCH-WORKFLOW'] = 'canary-dispatch.yml';
    fixture.double.associatePullRequest(sha, 31, { state: 'closed', merged: true });
    const surface = await githubSurface(github('push', { ref: 'refs/heads/main' }), options());
    await surface.reports[1]!.publish('report');
    expect(fixture.double.comments.map((c) => c.issueNumber)).toEqual([31]);
    expect(surface.links.dispatch?.workflowFile).toBe('canary-dispatch.yml');
  });

  it('a push outside any PR: only the job summary', async () => {
    const surface = await githubSurface(github('push', { ref: 'refs/heads/main' }), options());
    expect(surface.reports).toHaveLength(1);
    expect(fixture.warnings).toEqual([]);
  });
});
