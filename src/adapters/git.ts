// Commit mode through git itself, to any remote: a branch read and moved with git's plumbing in a
// repository of our own (or the user's checkout, leaving its work tree, index and refs alone). A
// commit is built from the parent's tree without a checkout, and pushed with a lease on the parent:
// the push succeeds only if the branch is still where we read it. git runs with argument arrays
// (execFile), never a shell, never prompts, and credentials never appear in its arguments.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CanaryError } from '../errors.ts';
import { isRepositoryPath, type BranchStore, type CommitOutcome, type FileChange, type ForeignCommit } from '../gitops/branch-store.ts';
import { messageText, type CommitMessage } from '../gitops/commit-message.ts';

/** git failed for a reason other than a lost race (unreachable remote, refused credentials, ...). */
export class GitError extends CanaryError {
  override readonly exitCode = 3;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface GitBranchOptions {
  /** A remote URL or path, or the name of a remote of `checkout` (e.g. `origin`). */
  remote: string;
  branch: string;
  /** The user's checkout to work in; without it a scratch repository is made and removed by close(). */
  checkout?: string;
  author?: GitIdentity;
  /** Extra `git -c` settings passed through the environment (GIT_CONFIG_*), e.g. an HTTP auth header,
   * so they never show in a process list. */
  config?: Record<string, string>;
  /** Per git command, ms (default 120 s). */
  timeoutMs?: number;
}

const DEFAULT_AUTHOR: GitIdentity = { name: 'istio-canary', email: 'istio-canary@users.noreply.github.com' };
const TRACKING_PREFIX = 'refs/istio-canary/remote/';

interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class GitBranchStore implements BranchStore {
  readonly description: string;
  readonly #dir: string;
  readonly #scratch: boolean;
  readonly #options: GitBranchOptions;
  readonly #trackingRef: string;
  readonly #env: NodeJS.ProcessEnv;

  private constructor(dir: string, scratch: boolean, options: GitBranchOptions) {
    this.#dir = dir;
    this.#scratch = scratch;
    this.#options = options;
    this.#trackingRef = `${TRACKING_PREFIX}${options.branch}`;
    this.description = `branch ${options.branch} of ${redactUrl(options.remote)}`;
    const config = Object.entries(options.config ?? {});
    this.#env = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: process.env['GIT_ASKPASS'] ?? '',
      LC_ALL: 'C',
      GIT_CONFIG_COUNT: String(config.length),
      ...Object.fromEntries(config.flatMap(([key, value], i) => [[`GIT_CONFIG_KEY_${i}`, key], [`GIT_CONFIG_VALUE_${i}`, value]])),
    };
  }

  /** Opens the branch: in the user's checkout, or in a new scratch repository. Fetches it once. */
  static async open(options: GitBranchOptions): Promise<GitBranchStore> {
    if (!/^[A-Za-z0-9._/-]+$/.test(options.branch) || options.branch.startsWith('-') || options.branch.includes('..')) {
      throw new GitError(`branch name ${JSON.stringify(options.branch)} is not one istio-canary writes to`);
    }
    if (options.remote.startsWith('-')) throw new GitError(`remote ${JSON.stringify(options.remote)} is not a remote`);
    let store: GitBranchStore;
    if (options.checkout !== undefined) {
      if (!existsSync(options.checkout)) throw new GitError(`the checkout ${options.checkout} does not exist`);
      const probe = new GitBranchStore(options.checkout, false, options);
      const top = await probe.#git(['rev-parse', '--git-dir']);
      if (top.code !== 0) throw new GitError(`${options.checkout} is not a git checkout: ${firstLine(top.stderr)}`);
      // A remote's name is resolved to its URL, so fetching and pushing leave the checkout's own
      // remote-tracking branches alone (its credentials config still applies: it is keyed by URL).
      const url = await probe.#git(['remote', 'get-url', '--push', '--', options.remote]);
      store = url.code === 0 ? new GitBranchStore(options.checkout, false, { ...options, remote: url.stdout.trim() }) : probe;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'istio-canary-git-'));
      store = new GitBranchStore(dir, true, options);
      await store.#must(['init', '--quiet', '--bare']);
    }
    await store.head();
    return store;
  }

  /** Removes the scratch repository (the user's checkout is left as it is, but for our tracking ref). */
  close(): void {
    if (this.#scratch) rmSync(this.#dir, { recursive: true, force: true });
  }

  async head(): Promise<string> {
    await this.#fetch([`+refs/heads/${this.#options.branch}:${this.#trackingRef}`], `fetch ${this.description}`);
    return (await this.#must(['rev-parse', '--verify', `${this.#trackingRef}^{commit}`])).stdout.trim();
  }

  async readFile(oid: string, path: string): Promise<string | undefined> {
    assertPath(path);
    const result = await this.#git(['cat-file', '--batch'], `${oid}:${path}\n`);
    if (result.code !== 0) throw new GitError(`git cat-file failed: ${firstLine(result.stderr)}`);
    const header = result.stdout.slice(0, result.stdout.indexOf('\n'));
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) return undefined;
    const [, type, size] = header.split(' ');
    if (type !== 'blob') return undefined;
    const body = Buffer.from(result.stdout.slice(header.length + 1), 'utf8').subarray(0, Number(size));
    return body.toString('utf8');
  }

  async commit(parent: string, changes: FileChange[], message: CommitMessage): Promise<CommitOutcome> {
    const oid = await this.#commitTree(parent, changes, message);
    const push = await this.#git([
      'push',
      '--porcelain',
      '--no-verify',
      `--force-with-lease=refs/heads/${this.#options.branch}:${parent}`,
      '--',
      this.#options.remote,
      `${oid}:refs/heads/${this.#options.branch}`,
    ]);
    if (push.code === 0) {
      await this.#must(['update-ref', this.#trackingRef, oid]);
      return { kind: 'pushed', oid };
    }
    // Porcelain: `!\t<src>:<dst>\t[rejected] (stale info)` for a failed lease, `(fetch first)` or
    // `(non-fast-forward)` when the branch moved; anything else is a real failure.
    if (/^!\t.*\[(?:rejected|remote rejected)\] \((?:stale info|fetch first|non-fast-forward|cannot lock ref[^)]*)\)/m.test(push.stdout)) {
      return { kind: 'lost-race' };
    }
    throw new GitError(`push to ${this.description} failed: ${firstLine(push.stderr || push.stdout)}`);
  }

  async contains(descendant: string, ancestor: string): Promise<boolean> {
    if (!(await this.#knows(descendant))) await this.head();
    if (!(await this.#knows(descendant)) || !(await this.#knows(ancestor))) return false;
    const result = await this.#git(['merge-base', '--is-ancestor', ancestor, descendant]);
    if (result.code === 0) return true;
    if (result.code === 1) return false;
    throw new GitError(`git merge-base failed: ${firstLine(result.stderr)}`);
  }

  async commitsTouching(base: string, head: string, paths: string[]): Promise<ForeignCommit[]> {
    paths.forEach(assertPath);
    if (!(await this.#knows(head))) await this.head();
    const log = await this.#must(['log', '--format=%H%x00%an <%ae>%x00%s', `${base}..${head}`, '--', ...paths]);
    return log.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [oid = '', author = '', subject = ''] = line.split('\0');
        return { oid, author, subject };
      });
  }

  /** A commit of the parent's tree with the changed files, built in a private index (no work tree). */
  async #commitTree(parent: string, changes: FileChange[], message: CommitMessage): Promise<string> {
    const indexDir = mkdtempSync(join(tmpdir(), 'istio-canary-index-'));
    const index = { GIT_INDEX_FILE: join(indexDir, 'index') };
    try {
      await this.#must(['read-tree', parent], undefined, index);
      for (const change of changes) {
        assertPath(change.path);
        const blob = (await this.#must(['hash-object', '-w', '--stdin'], change.contents)).stdout.trim();
        const listed = (await this.#must(['ls-tree', parent, '--', change.path])).stdout;
        const mode = /^(100644|100755) blob /.exec(listed)?.[1] ?? '100644';
        await this.#must(['update-index', '--add', '--cacheinfo', `${mode},${blob},${change.path}`], undefined, index);
      }
      const tree = (await this.#must(['write-tree'], undefined, index)).stdout.trim();
      const author = this.#options.author ?? (await this.#configuredIdentity()) ?? DEFAULT_AUTHOR;
      const identity = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      return (await this.#must(['commit-tree', tree, '-p', parent, '-F', '-'], messageText(message), identity)).stdout.trim();
    } finally {
      rmSync(indexDir, { recursive: true, force: true });
    }
  }

  async #configuredIdentity(): Promise<GitIdentity | undefined> {
    const name = (await this.#git(['config', 'user.name'])).stdout.trim();
    const email = (await this.#git(['config', 'user.email'])).stdout.trim();
    return name && email ? { name, email } : undefined;
  }

  async #knows(oid: string): Promise<boolean> {
    if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(oid)) return false;
    return (await this.#git(['cat-file', '-e', `${oid}^{commit}`])).code === 0;
  }

  async #fetch(refspecs: string[], what: string): Promise<void> {
    const result = await this.#git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', this.#options.remote, ...refspecs]);
    if (result.code !== 0) {
      const reason = /couldn't find remote ref/i.test(result.stderr) ? `the branch ${this.#options.branch} does not exist` : firstLine(result.stderr);
      throw new GitError(`${what} failed: ${reason}`);
    }
  }

  async #must(args: string[], input?: string, env?: Record<string, string>): Promise<GitResult> {
    const result = await this.#git(args, input, env);
    if (result.code !== 0) throw new GitError(`git ${args[0]} failed in ${this.description}: ${firstLine(result.stderr)}`);
    return result;
  }

  #git(args: string[], input?: string, env?: Record<string, string>): Promise<GitResult> {
    return new Promise((resolve) => {
      const child = execFile(
        'git',
        args,
        { cwd: this.#dir, env: { ...this.#env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: this.#options.timeoutMs ?? 120_000, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ stdout, stderr: error !== null && code === -1 ? `${stderr}${error.message}` : stderr, code });
        },
      );
      // git may exit before reading its input (an early failure): that is reported by its exit code.
      child.stdin?.on('error', () => {});
      child.stdin?.end(input ?? '');
    });
  }
}

function assertPath(path: string): void {
  if (!isRepositoryPath(path)) throw new GitError(`${JSON.stringify(path)} is not a path inside the repository`);
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !line.startsWith('hint:')) ?? 'no message'
  );
}

/** A remote URL without the password or token it may carry. */
export function redactUrl(remote: string): string {
  return remote.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}
