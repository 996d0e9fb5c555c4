// Commit mode through GitHub's API against a double that checks every request against GitHub's
// published GraphQL schema and REST description, backed by a real bare repository.
import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubBranchStore, GitHubCommitError } from '../../../src/adapters/github-commit.ts';
import { commitMessage } from '../../../src/gitops/commit-message.ts';
import { commitOnBranch } from '../../../src/gitops/commit-on-branch.ts';
import { BOT_AUTHOR, DOUBLE_OWNER, DOUBLE_REPO, startCommitDouble, type CommitDouble } from '../../support/github-commit-double.ts';
import { startBareRemote, type BareRemote } from '../../support/git-remote.ts';

const VS = 'apps/catalog/virtualservice.yaml';
const BIG = 'apps/catalog/big.yaml';
const message = commitMessage({ canary: 'catalog', change: { kind: 'stage', summary: 'shift 10% to version-v2', stageId: 'weight-10', index: 2, total: 5 }, runId: 'run-7' });

let remote: BareRemote;
let double: CommitDouble;
let store: GitHubBranchStore;
beforeEach(async () => {
  remote = startBareRemote({ [VS]: 'weight: 100 # ünïcode kept\n', [BIG]: `# big\n${'x: y\n'.repeat(400)}` });
  double = await startCommitDouble(remote.url, 'main', { truncateTextOver: 1_000 });
  store = new GitHubBranchStore({ octokit: getOctokit('ghs_test', { baseUrl: double.baseUrl }), owner: DOUBLE_OWNER, repo: DOUBLE_REPO, branch: 'main' });
});
afterEach(async () => {
  await double.close();
  remote.close();
  expect(double.violations).toEqual([]);
});

describe('GitHubBranchStore', { timeout: 30_000 }, () => {
  it('reads the head and files through GraphQL, a large file through the REST blob', async () => {
    const head = await store.head();
    expect(head).toBe(remote.head());
    expect(await store.readFile(head, VS)).toBe('weight: 100 # ünïcode kept\n');
    expect(await store.readFile(head, 'apps/none.yaml')).toBeUndefined();
    expect(await store.readFile(head, BIG)).toBe(remote.show(BIG));
    expect(double.requests.map((r) => r.name)).toEqual(['repository', 'repository', 'repository', 'repository', 'git/get-blob']);
  });

  it('commits with createCommitOnBranch on the expected head: a verified commit with our message', async () => {
    const head = await store.head();
    const outcome = await store.commit(head, [{ path: VS, contents: 'weight: 90 # ünïcode kept\n' }], message);
    expect(outcome.kind).toBe('pushed');
    const oid = (outcome as { oid: string }).oid;
    expect(remote.head()).toBe(oid);
    expect(double.verified.has(oid)).toBe(true);
    expect(remote.show(VS)).toBe('weight: 90 # ünïcode kept\n');
    expect(remote.bare('log', '-1', '--format=%an <%ae>%n%s%n%(trailers:key=Canary-Stage,valueonly)', oid)).toBe(`${BOT_AUTHOR.name} <${BOT_AUTHOR.email}>\ncanary(catalog): shift 10% to version-v2 [3/5]\nweight-10\n\n`);
    const mutation = double.requests.find((r) => r.name === 'createCommitOnBranch')!;
    expect((mutation.variables as any).input.expectedHeadOid).toBe(head);
  });

  it('a stale expectedHeadOid is a lost race; commitOnBranch re-reads at the new head and lands on it', async () => {
    const head = await store.head();
    double.beforeNextCommit(() => remote.push({ [VS]: 'weight: 100 # ünïcode kept\n# reviewed\n' }, 'a person pushes first'));
    expect(await store.commit(head, [{ path: VS, contents: 'weight: 1\n' }], message)).toEqual({ kind: 'lost-race' });
    expect(remote.show(VS)).toBe('weight: 100 # ünïcode kept\n# reviewed\n');

    double.beforeNextCommit(() => remote.push({ 'README.md': 'again\n' }, 'and again'));
    const result = await commitOnBranch(store, async (_h, read) => ({ changes: [{ path: VS, contents: (await read(VS))!.replace('weight: 100', 'weight: 90') }], message }));
    expect(result).toMatchObject({ kind: 'pushed', attempts: 2 });
    expect(remote.show(VS)).toBe('weight: 90 # ünïcode kept\n# reviewed\n');
  });

  it('ancestry through the compare API; unknown commits are not contained', async () => {
    const base = await store.head();
    const ours = (await store.commit(base, [{ path: VS, contents: 'weight: 80\n' }], message)) as { oid: string };
    const later = remote.push({ 'README.md': 'later\n' }, 'later');
    expect(await store.contains(later, ours.oid)).toBe(true);
    expect(await store.contains(ours.oid, later)).toBe(false);
    expect(await store.contains('0'.repeat(40), ours.oid)).toBe(false);
  });

  it("names someone else's commits to our file since a base", async () => {
    const base = await store.head();
    remote.push({ 'README.md': 'x\n' }, 'unrelated');
    const edit = remote.push({ [VS]: 'weight: 50\n' }, 'hand edit');
    expect(await store.commitsTouching(base, remote.head(), [VS])).toEqual([{ oid: edit, author: 'Dana Operator <dana@example.com>', subject: 'hand edit' }]);
  });

  it('a missing branch or repository is one clear error', async () => {
    const octokit = getOctokit('ghs_test', { baseUrl: double.baseUrl });
    await expect(new GitHubBranchStore({ octokit, owner: DOUBLE_OWNER, repo: DOUBLE_REPO, branch: 'nope' }).head()).rejects.toThrow(new GitHubCommitError('branch nope of github.com/acme/shop-gitops: the branch does not exist'));
    await expect(new GitHubBranchStore({ octokit, owner: DOUBLE_OWNER, repo: 'other', branch: 'main' }).head()).rejects.toThrow('the repository does not exist or the token cannot read it');
  });
});

describe('the double itself', () => {
  it('refuses what GitHub would: an unknown field, a wrong variable type, an unknown REST path', async () => {
    const octokit = getOctokit('ghs_test', { baseUrl: double.baseUrl });
    await expect(octokit.graphql('query { repository(owner: "acme", name: "shop-gitops") { nonsense } }')).rejects.toThrow(/Cannot query field "nonsense"/);
    await expect(octokit.graphql('mutation($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }', { input: { expectedHeadOid: 'x' } })).rejects.toThrow(/branch/);
    await expect(octokit.request('GET /repos/{owner}/{repo}/not-an-endpoint', { owner: 'acme', repo: 'shop-gitops' })).rejects.toThrow();
    expect(double.violations).toEqual([
      'GraphQL repository: Cannot query field "nonsense" on type "Repository".',
      expect.stringMatching(/^GraphQL createCommitOnBranch: Variable "\$input" got invalid value .*"branch" of required type "CommittableBranch!" was not provided/),
      expect.stringMatching(/^GraphQL createCommitOnBranch: Variable "\$input" got invalid value .*"message" of required type "CommitMessage!" was not provided/),
      'GET /repos/acme/shop-gitops/not-an-endpoint is not an operation of the GitHub REST API',
    ]);
    double.violations.length = 0;
  });
});
