// A local bare git repository standing in for a GitOps remote, and a person's clone of it who pushes
// between our reads and writes: real git, nothing mocked.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface BareRemote {
  /** Path of the bare repository (usable as a remote URL). */
  url: string;
  branch: string;
  /** Runs git in the person's clone. */
  git(...args: string[]): string;
  /** Runs git in the bare repository (which has every commit pushed to it). */
  bare(...args: string[]): string;
  /** The person commits these files on the branch and pushes; returns the new head. */
  push(files: Record<string, string>, subject: string): string;
  head(): string;
  /** The file on the remote branch. */
  show(path: string, ref?: string): string;
  close(): void;
}

const PERSON = { GIT_AUTHOR_NAME: 'Dana Operator', GIT_AUTHOR_EMAIL: 'dana@example.com', GIT_COMMITTER_NAME: 'Dana Operator', GIT_COMMITTER_EMAIL: 'dana@example.com' };

export function startBareRemote(initial: Record<string, string>, branch = 'main'): BareRemote {
  const root = mkdtempSync(join(tmpdir(), 'istio-canary-remote-'));
  const url = join(root, 'remote.git');
  const clone = join(root, 'person');
  const env = { ...process.env, ...PERSON, LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', HOME: root };
  const run = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  run(root, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, url]);
  run(root, ['clone', '--quiet', url, clone]);
  run(clone, ['checkout', '--quiet', '-b', branch]);
  const remote: BareRemote = {
    url,
    branch,
    git: (...args) => run(clone, args),
    bare: (...args) => run(url, args),
    push(files, subject) {
      if (run(clone, ['ls-remote', '--heads', 'origin', branch]).trim() !== '') run(clone, ['pull', '--quiet', '--ff-only', 'origin', branch]);
      for (const [path, contents] of Object.entries(files)) {
        mkdirSync(dirname(join(clone, path)), { recursive: true });
        writeFileSync(join(clone, path), contents);
      }
      run(clone, ['add', '--all']);
      run(clone, ['commit', '--quiet', '--allow-empty', '-m', subject]);
      run(clone, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return remote.head();
    },
    head: () => run(url, ['rev-parse', `refs/heads/${branch}`]).trim(),
    show: (path, ref = `refs/heads/${branch}`) => run(url, ['show', `${ref}:${path}`]),
    close: () => rmSync(root, { recursive: true, force: true }),
  };
  remote.push(initial, 'initial manifests');
  return remote;
}
