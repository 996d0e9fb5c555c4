// The git adapter against a real bare repository: reads at a commit, commits without a work tree,
// compare-and-swap pushes, lost races retried on the new head, foreign commits named.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitBranchStore, GitError, redactUrl } from '../../../src/adapters/git.ts';
import { BranchRaceError, commitOnBranch } from '../../../src/gitops/commit-on-branch.ts';
import { commitMessage } from '../../../src/gitops/commit-message.ts';
import { startBareRemote, type BareRemote } from '../../support/git-remote.ts';

const message = (summary: string) => commitMessage({ canary: 'catalog', change: { kind: 'stage', summary, stageId: 'weight-10', index: 2, total: 5 }, runId: 'run-1' });
const VS = 'apps/catalog/virtualservice.yaml';

let remote: BareRemote;
let store: GitBranchStore;
beforeEach(async () => {
  remote = startBareRemote({ [VS]: 'weight: 100\n', 'apps/catalog/deploy.sh': '#!/bin/sh\n', 'README.md': 'shop\n' });
  store = await GitBranchStore.open({ remote: remote.url, branch: 'main' });
});
afterEach(() => {
  store.close();
  remote.close();
});

describe('GitBranchStore', { timeout: 30_000 }, () => {
  it('reads the branch head and files at a commit; a missing file is undefined', async () => {
    const head = await store.head();
    expect(head).toBe(remote.head());
    expect(await store.readFile(head, VS)).toBe('weight: 100\n');
    expect(await store.readFile(head, 'apps/catalog/missing.yaml')).toBeUndefined();
    expect(await store.readFile(head, 'apps/catalog')).toBeUndefined();
  });

  it('commits on the head: only the changed file differs, modes and other files kept, message with trailers', async () => {
    remote.git('update-index', '--chmod=+x', 'apps/catalog/deploy.sh');
    remote.git('commit', '--quiet', '-m', 'executable');
    remote.git('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    const head = await store.head();
    const outcome = await store.commit(head, [{ path: VS, contents: 'weight: 90\n' }], message('shift 10% to version-v2'));
    expect(outcome.kind).toBe('pushed');
    const oid = (outcome as { oid: string }).oid;
    expect(remote.head()).toBe(oid);
    expect(remote.show(VS)).toBe('weight: 90\n');
    expect(remote.bare('diff', '--name-only', head, oid).trim()).toBe(VS);
    expect(remote.bare('ls-tree', oid, 'apps/catalog/deploy.sh')).toMatch(/^100755 /);
    expect(remote.bare('log', '-1', '--format=%s%n%(trailers:key=Canary-Stage,valueonly)%(trailers:key=Canary-Run,valueonly)', oid)).toBe('canary(catalog): shift 10% to version-v2 [3/5]\nweight-10\nrun-1\n\n');
    expect(remote.bare('log', '-1', '--format=%P', oid).trim()).toBe(head);
  });

  it('a commit on a head the branch has left loses the race and changes nothing', async () => {
    const head = await store.head();
    const theirs = remote.push({ 'README.md': 'shop, edited\n' }, 'docs');
    expect(await store.commit(head, [{ path: VS, contents: 'weight: 90\n' }], message('x'))).toEqual({ kind: 'lost-race' });
    expect(remote.head()).toBe(theirs);
  });

  it('ancestry: the head contains our commit, our commit does not contain a later one, unknown commits are not contained', async () => {
    const base = await store.head();
    const ours = (await store.commit(base, [{ path: VS, contents: 'weight: 90\n' }], message('x'))) as { oid: string };
    const later = remote.push({ 'README.md': 'later\n' }, 'later');
    expect(await store.contains(later, ours.oid)).toBe(true);
    expect(await store.contains(ours.oid, later)).toBe(false);
    expect(await store.contains('0'.repeat(40), ours.oid)).toBe(false);
    expect(await store.contains('not-a-sha', ours.oid)).toBe(false);
  });

  it('names the commits that touched our files since a base', async () => {
    const base = await store.head();
    remote.push({ 'README.md': 'unrelated\n' }, 'unrelated');
    const edit = remote.push({ [VS]: 'weight: 50\n' }, 'hand-edit the weights');
    const commits = await store.commitsTouching(base, remote.head(), [VS]);
    expect(commits).toEqual([{ oid: edit, author: 'Dana Operator <dana@example.com>', subject: 'hand-edit the weights' }]);
  });

  it('a missing branch, an unreachable remote, a hostile branch or path: one clear GitError', async () => {
    await expect(GitBranchStore.open({ remote: remote.url, branch: 'nope' })).rejects.toThrow(new GitError(`fetch branch nope of ${remote.url} failed: the branch nope does not exist`));
    await expect(GitBranchStore.open({ remote: join(tmpdir(), 'no-such-remote.git'), branch: 'main' })).rejects.toThrow(/^fetch branch main of .*no-such-remote\.git failed: /);
    await expect(GitBranchStore.open({ remote: remote.url, branch: '--upload-pack=touch /tmp/x' })).rejects.toThrow(GitError);
    await expect(GitBranchStore.open({ remote: '--upload-pack=x', branch: 'main' })).rejects.toThrow(GitError);
    await expect(store.readFile(await store.head(), '../etc/passwd')).rejects.toThrow('"../etc/passwd" is not a path inside the repository');
  });

  it('never shows a credential from the URL', () => {
    expect(redactUrl('https://x-access-token:ghs_secret@github.com/acme/shop.git')).toBe('https://***@github.com/acme/shop.git');
  });

  it("in the user's checkout: the work tree, index, HEAD and branches stay as they were", async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'istio-canary-checkout-'));
    try {
      execFileSync('git', ['clone', '--quiet', remote.url, checkout]);
      writeFileSync(join(checkout, 'README.md'), 'local edit, not staged\n');
      const before = execFileSync('git', ['status', '--porcelain=v1', '--branch'], { cwd: checkout, encoding: 'utf8' });
      const headBefore = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: checkout, encoding: 'utf8' });
      const local = await GitBranchStore.open({ remote: 'origin', branch: 'main', checkout, author: { name: 'bot', email: 'bot@example.com' } });
      const outcome = await local.commit(await local.head(), [{ path: VS, contents: 'weight: 0\n' }], message('y'));
      expect(outcome.kind).toBe('pushed');
      expect(remote.show(VS)).toBe('weight: 0\n');
      expect(execFileSync('git', ['status', '--porcelain=v1', '--branch'], { cwd: checkout, encoding: 'utf8' })).toBe(before);
      expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: checkout, encoding: 'utf8' })).toBe(headBefore);
      expect(readFileSync(join(checkout, VS), 'utf8')).toBe('weight: 100\n');
      expect(remote.bare('log', '-1', '--format=%an <%ae>', 'main')).toBe('bot <bot@example.com>\n');
      local.close();
    } finally {
      chmodSync(checkout, 0o755);
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});

describe('commitOnBranch', { timeout: 30_000 }, () => {
  it('a lost race re-reads the files at the new head, plans again and lands on top of the other push', async () => {
    const seen: string[] = [];
    let raced = false;
    const result = await commitOnBranch(store, async (_head, read) => {
      const current = (await read(VS))!;
      seen.push(current);
      if (!raced) {
        raced = true;
        remote.push({ [VS]: `${current}# reviewed\n` }, 'a comment from a person');
      }
      return { changes: [{ path: VS, contents: current.replace('weight: 100', 'weight: 90') }], message: message('shift') };
    });
    expect(result.kind).toBe('pushed');
    expect(result.attempts).toBe(2);
    expect(seen).toEqual(['weight: 100\n', 'weight: 100\n# reviewed\n']);
    expect(remote.show(VS)).toBe('weight: 90\n# reviewed\n');
  });

  it('files already as planned: no commit, and the head is said', async () => {
    const head = remote.head();
    const result = await commitOnBranch(store, async (_h, read) => ({ changes: [{ path: VS, contents: (await read(VS))! }], message: message('same') }));
    expect(result).toEqual({ kind: 'unchanged', head, attempts: 1 });
    expect(remote.head()).toBe(head);
  });

  it('a race lost every time ends with one clear error and nothing of ours committed', async () => {
    let n = 0;
    await expect(
      commitOnBranch(
        store,
        async () => {
          remote.push({ 'README.md': `edit ${n++}\n` }, 'busy');
          return { changes: [{ path: VS, contents: 'weight: 1\n' }], message: message('x') };
        },
        3,
      ),
    ).rejects.toThrow(new BranchRaceError(`branch main of ${remote.url}: the branch moved during each of 3 attempts to commit; nothing was committed`));
    expect(remote.show(VS)).toBe('weight: 100\n');
  });
});
