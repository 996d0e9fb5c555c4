// One routing change as one commit, by compare-and-swap on the branch head: read the files at the
// head, let the caller plan the change from them, commit on that head, and when someone pushed in
// between, read again at the new head and plan again (bounded). Planning is the caller's: it is where
// an edit of the fields we own by someone else is found and refused.
import { CanaryError } from '../errors.ts';
import type { BranchStore, FileChange } from './branch-store.ts';
import type { CommitMessage } from './commit-message.ts';

export interface PlannedCommit {
  changes: FileChange[];
  message: CommitMessage;
}

/** Reads a file at the head being planned on. */
export type ReadAtHead = (path: string) => Promise<string | undefined>;

/** Plans the commit from the files at `head`; undefined when the files already are as wanted. */
export type CommitPlanner = (head: string, read: ReadAtHead) => Promise<PlannedCommit | undefined>;

export type BranchWrite =
  | { kind: 'pushed'; oid: string; parent: string; attempts: number }
  /** The files already were as planned: no commit. */
  | { kind: 'unchanged'; head: string; attempts: number };

/** Every attempt lost the race to other pushes. */
export class BranchRaceError extends CanaryError {
  override readonly exitCode = 3;
}

export const DEFAULT_ATTEMPTS = 5;

export async function commitOnBranch(store: BranchStore, plan: CommitPlanner, attempts = DEFAULT_ATTEMPTS): Promise<BranchWrite> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const head = await store.head();
    const cache = new Map<string, Promise<string | undefined>>();
    const read: ReadAtHead = (path) => {
      if (!cache.has(path)) cache.set(path, store.readFile(head, path));
      return cache.get(path)!;
    };
    const planned = await plan(head, read);
    if (planned === undefined) return { kind: 'unchanged', head, attempts: attempt };
    const changed = await changedOnly(planned.changes, read);
    if (changed.length === 0) return { kind: 'unchanged', head, attempts: attempt };
    const outcome = await store.commit(head, changed, planned.message);
    if (outcome.kind === 'pushed') return { kind: 'pushed', oid: outcome.oid, parent: head, attempts: attempt };
  }
  throw new BranchRaceError(`${store.description}: the branch moved during each of ${attempts} attempts to commit; nothing was committed`);
}

async function changedOnly(changes: FileChange[], read: ReadAtHead): Promise<FileChange[]> {
  const out: FileChange[] = [];
  for (const change of changes) if ((await read(change.path)) !== change.contents) out.push(change);
  return out;
}
