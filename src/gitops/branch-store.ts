// Where commit mode keeps manifests: one branch of a git repository, read at a commit and moved by
// compare-and-swap. Two adapters implement it: git itself (src/adapters/git.ts, any remote) and
// GitHub's API (src/adapters/github-commit.ts, verified commits without local credentials).
import type { CommitMessage } from './commit-message.ts';

export interface FileChange {
  /** Path inside the repository, `/`-separated, relative. */
  path: string;
  contents: string;
}

export type CommitOutcome =
  | { kind: 'pushed'; oid: string }
  /** The branch was no longer at the expected commit: someone pushed in between. */
  | { kind: 'lost-race' };

export interface ForeignCommit {
  oid: string;
  author: string;
  subject: string;
}

export interface BranchStore {
  /** Says which repository and branch, for messages (never with credentials). */
  readonly description: string;
  /** The branch head as the remote has it now. */
  head(): Promise<string>;
  /** The file at a commit, or undefined when the commit has no such file. */
  readFile(oid: string, path: string): Promise<string | undefined>;
  /** Makes a commit with `changes` on top of `parent` and moves the branch to it only if the branch is
   * still at `parent`. */
  commit(parent: string, changes: FileChange[], message: CommitMessage): Promise<CommitOutcome>;
  /** Whether `descendant` contains `ancestor` (false when `descendant` is not known to the remote). */
  contains(descendant: string, ancestor: string): Promise<boolean>;
  /** Commits after `base` up to `head` that touch any of `paths`, newest first. */
  commitsTouching(base: string, head: string, paths: string[]): Promise<ForeignCommit[]>;
}

export { isRepositoryPath } from '../spec/repository-path.ts';
