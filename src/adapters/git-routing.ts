// Commit mode's routing writer: the managed objects live in manifest files of a GitOps repository's
// branch, and every write is one commit there (an in-place edit of the object's document, or a new
// or removed document), made by compare-and-swap on the branch head. The object's version (what
// apply mode's resourceVersion is) is a hash of the object as the file holds it: a write whose object
// changed since it was read is a ConflictError naming the commits that changed it, so the engine
// re-reads and re-plans exactly as in apply mode; a race with a commit that did not touch the object
// is retried on the new head without bothering the engine. A write is in effect once the GitOps
// controller has applied a revision containing its commit (`applied`, the sync wait).
import { createHash } from 'node:crypto';
import type { ListedKind, ObjectRef, RouteOwner, RoutingObject, RoutingPort } from '../core/ports.ts';
import { ConflictError, InputError, NotInEffectError } from '../errors.ts';
import { canonicalJson } from '../json/canonical.ts';
import type { BranchStore, ForeignCommit } from '../gitops/branch-store.ts';
import type { CommitMessage } from '../gitops/commit-message.ts';
import { commitOnBranch, type BranchWrite } from '../gitops/commit-on-branch.ts';
import { appendObject, describeRef, editObject, findObject, objectsIn, removeObject } from '../gitops/manifest-file.ts';
import type { CommittedObject } from '../gitops/sync-status.ts';
import { SyncTimeoutError, type SyncApplied } from '../gitops/sync-wait.ts';

/** Where a managed object lives: the spec names a file per object. */
export interface ObjectLocation {
  kind: string;
  namespace: string;
  name: string;
  file: string;
  /** The release cannot start without it (the VirtualService it edits): a missing file or object is
   * an InputError naming both. Otherwise (a DestinationRule created if absent) it reads as absent. */
  required?: boolean;
}

/** What a commit does, for its message. */
export interface WriteDescription {
  operation: 'write' | 'create' | 'delete';
  ref: ObjectRef;
  /** The object as it will be (undefined for a delete). */
  object?: RoutingObject;
}

export interface GitRoutingOptions {
  store: BranchStore;
  locations: ObjectLocation[];
  /** File for objects the release creates that the spec does not place (default: the file of the
   * first location). */
  createIn?: string;
  message: (change: WriteDescription) => CommitMessage;
  /** Resolves once `commit` is in effect in the cluster (the sync wait). */
  waitApplied: (commit: string, committed: CommittedObject[], signal?: AbortSignal) => Promise<SyncApplied>;
  /** After the sync: what else "in effect" means for the object in the cluster (an HTTPRoute accepted
   * by Istio for its current generation; NotInEffectError if not). Absent without cluster access. */
  acceptedInCluster?: (ref: ObjectRef, signal?: AbortSignal) => Promise<void>;
  /** Why the objects could never take effect in the cluster (RoutingPort.neverInEffect, asked there).
   * Absent without cluster access. */
  neverInEffectInCluster?: RoutingPort['neverInEffect'];
  /** Kinds the release lists but does not own (an HTTPRoute's siblings on its parents): `list` also
   * returns the cluster's objects of these kinds that no known file holds. Absent without cluster access. */
  alsoInCluster?: { kinds: readonly string[]; list: RoutingPort['list'] };
  /** Told each commit pushed (or a write that changed no file). */
  onCommit?: (write: BranchWrite, change: WriteDescription) => void;
  /** Attempts per write when the branch moves for other reasons (default 5). */
  attempts?: number;
  /** Whether a written object is the rollback (its state says rolled back). A rollback is in git once
   * pushed: a sync wait that times out then only warns (`warn`), it does not make the rollback fail. */
  isRollback?: (object: RoutingObject) => boolean;
  warn?: (message: string) => void;
}

/** Fields a server adds that a manifest file never holds. */
const SERVER_FIELDS = ['resourceVersion', 'uid', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'] as const;

export class GitRouting implements RoutingPort {
  /** A commit is in effect once the GitOps controller has synced it. */
  readonly effectLags = true;
  readonly #o: GitRoutingOptions;
  /** The commit of our last write per object (what `applied` waits for). */
  readonly #commits = new Map<string, string>();
  /** The head an object was last read at, to name what changed it since. */
  readonly #readAt = new Map<string, string>();
  /** Who last changed each object's file, if not us (for `owner`). */
  readonly #foreign = new Map<string, ForeignCommit>();

  constructor(options: GitRoutingOptions) {
    this.#o = options;
  }

  neverInEffect(objects: readonly RoutingObject[]): Promise<{ path: string; message: string } | undefined> {
    return this.#o.neverInEffectInCluster?.(objects) ?? Promise.resolve(undefined);
  }

  /** The object as the branch head's file holds it (namespace filled in, version set), or undefined. */
  async get<T extends RoutingObject = RoutingObject>(ref: ObjectRef): Promise<T | undefined> {
    const head = await this.#o.store.head();
    const file = this.#fileOf(ref);
    const text = await this.#o.store.readFile(head, file);
    const required = this.#location(ref)?.required === true;
    // A required object must be there (one clear error naming the file); any other may be absent.
    if (!required && (text === undefined || !objectsIn(text, file).some((o) => matches(o.object, ref)))) return undefined;
    const found = findObject(text, file, ref);
    await this.#noteForeign(ref, file, head);
    this.#readAt.set(key(ref), head);
    return asLive(found.object, ref) as T;
  }

  async write<T extends RoutingObject>(object: T): Promise<T> {
    const ref = refOfObject(object);
    const file = this.#fileOf(ref);
    const expected = object.metadata.resourceVersion;
    const content = forFile(object);
    const change: WriteDescription = { operation: expected === undefined ? 'create' : 'write', ref, object: content as RoutingObject };
    const write = await commitOnBranch(
      this.#o.store,
      async (head, read) => {
        const text = await read(file);
        const current = objectsIn(text, file).find((o) => matches(o.object, ref));
        if (expected === undefined && current) throw await this.#conflict(ref, file, head, 'was created by someone else since it was read');
        if (expected !== undefined && (!current || versionOf(current.object) !== expected)) {
          throw await this.#conflict(ref, file, head, current ? 'changed since it was read' : 'was deleted since it was read');
        }
        const next = current ? editObject(text, file, ref, content) : appendObject(text, content);
        return { changes: [{ path: file, contents: next }], message: this.#o.message(change) };
      },
      this.#o.attempts,
    );
    this.#record(ref, write, change);
    const stored = findObject(await this.#o.store.readFile(write.kind === 'pushed' ? write.oid : write.head, file), file, ref).object;
    return asLive(stored, ref) as T;
  }

  async delete(ref: ObjectRef, resourceVersion: string): Promise<void> {
    const file = this.#fileOf(ref);
    const change: WriteDescription = { operation: 'delete', ref };
    const write = await commitOnBranch(
      this.#o.store,
      async (head, read) => {
        const text = await read(file);
        const current = objectsIn(text, file).find((o) => matches(o.object, ref));
        if (!current) return undefined; // gone is done
        if (versionOf(current.object) !== resourceVersion) throw await this.#conflict(ref, file, head, 'changed since it was read');
        return { changes: [{ path: file, contents: removeObject(text, file, ref) }], message: this.#o.message(change) };
      },
      this.#o.attempts,
    );
    this.#record(ref, write, change);
  }

  /** Objects of `kind` in `namespace` carrying every label, from every file the writer knows. */
  async list(kind: ListedKind, labels: Record<string, string>): Promise<RoutingObject[]> {
    const head = await this.#o.store.head();
    const files = [...new Set([...this.#o.locations.map((l) => l.file), this.#createFile()])];
    const out: RoutingObject[] = [];
    for (const file of files) {
      for (const found of objectsIn(await this.#o.store.readFile(head, file), file)) {
        const live = asLive(found.object, { apiVersion: String(found.object['apiVersion'] ?? ''), kind: String(found.object['kind']), namespace: kind.namespace ?? this.#defaultNamespace(), name: String((found.object['metadata'] as { name?: unknown })?.name ?? '') });
        if (live.kind !== kind.kind || (kind.namespace !== undefined && live.metadata.namespace !== kind.namespace)) continue;
        if (Object.entries(labels).every(([k, v]) => live.metadata.labels?.[k] === v)) out.push(live);
      }
    }
    const cluster = this.#o.alsoInCluster;
    if (!cluster?.kinds.includes(kind.kind)) return out;
    // The file's copy is what the release plans against; the cluster adds only what git does not hold.
    const inFiles = new Set(out.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    return [...out, ...(await cluster.list(kind, labels)).filter((o) => !inFiles.has(`${o.metadata.namespace ?? ''}/${o.metadata.name}`))];
  }

  /** Waits until the commit of our last write of `ref` is in effect; returns the object as committed. */
  async applied(ref: ObjectRef, desired: RoutingObject | undefined, stored?: RoutingObject, signal?: AbortSignal): Promise<RoutingObject | undefined> {
    const commit = this.#commits.get(key(ref)) ?? (await this.#o.store.head());
    const committed: CommittedObject = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name, ...(desired ? { object: forFile(stored ?? desired) as CommittedObject['object'] } : {}) };
    try {
      await this.#o.waitApplied(commit, [committed], signal);
    } catch (error) {
      if (!(error instanceof SyncTimeoutError) || !desired || this.#o.isRollback?.(desired) !== true) throw error;
      this.#o.warn?.(`The rollback is committed (${commit.slice(0, 12)}) but not yet in effect: ${error.message}`);
      return stored ?? desired;
    }
    try {
      if (desired) await this.#o.acceptedInCluster?.(ref, signal);
    } catch (error) {
      // Synced but refused (or not accepted in time): say which commit, so its author can find it.
      if (error instanceof NotInEffectError) throw new NotInEffectError(`commit ${commit.slice(0, 12)} is synced, but ${error.message}`, { cause: error });
      throw error;
    }
    return stored ?? desired;
  }

  /** In commit mode we are the GitOps writer; someone else's commit to the object's file since our
   * last one is named as the manager of its routes (drift messages name it). */
  owner(object: RoutingObject): RouteOwner {
    const foreign = this.#foreign.get(key({ kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name }));
    return foreign ? { kind: 'manager', manager: `commit ${foreign.oid.slice(0, 12)} (${foreign.author}: ${foreign.subject})` } : { kind: 'self' };
  }

  /** Who changed the object's file after our last commit of it, as git records it. */
  foreignChange(ref: ObjectRef): ForeignCommit | undefined {
    return this.#foreign.get(key(ref));
  }

  #record(ref: ObjectRef, write: BranchWrite, change: WriteDescription): void {
    this.#commits.set(key(ref), write.kind === 'pushed' ? write.oid : write.head);
    this.#foreign.delete(key(ref));
    this.#o.onCommit?.(write, change);
  }

  async #noteForeign(ref: ObjectRef, file: string, head: string): Promise<void> {
    const ours = this.#commits.get(key(ref));
    if (ours === undefined || ours === head) return;
    const theirs = await this.#o.store.commitsTouching(ours, head, [file]);
    if (theirs[0]) this.#foreign.set(key(ref), theirs[0]);
  }

  async #conflict(ref: ObjectRef, file: string, head: string, what: string): Promise<ConflictError> {
    const since = this.#readAt.get(key(ref));
    const commits = since === undefined || since === head ? [] : await this.#o.store.commitsTouching(since, head, [file]);
    if (commits[0]) this.#foreign.set(key(ref), commits[0]);
    const by = commits.length > 0 ? ` by ${commits.map((c) => `commit ${c.oid.slice(0, 12)} (${c.author}: ${c.subject})`).join(', ')}` : '';
    return new ConflictError(`${describeRef(ref)} in ${file} on ${this.#o.store.description} ${what}${by}`);
  }

  #location(ref: ObjectRef): ObjectLocation | undefined {
    return this.#o.locations.find((l) => l.kind === ref.kind && l.name === ref.name && l.namespace === ref.namespace);
  }

  #fileOf(ref: ObjectRef): string {
    return this.#location(ref)?.file ?? this.#createFile();
  }

  /** Where a file's object without a namespace lives: the managed objects' namespace. */
  #defaultNamespace(): string {
    return this.#o.locations[0]?.namespace ?? '';
  }

  #createFile(): string {
    const file = this.#o.createIn ?? this.#o.locations[0]?.file;
    if (file === undefined) throw new InputError({ path: 'commit.files', message: 'names no file: commit mode needs the file of each managed object' });
    return file;
  }
}

/** The object's version: a hash of it as the file holds it (any change to it, by anyone, changes it). */
export function versionOf(object: Record<string, unknown>): string {
  return `git-${createHash('sha256').update(canonicalJson(object)).digest('hex').slice(0, 20)}`;
}

function asLive(fileObject: Record<string, unknown>, ref: ObjectRef): RoutingObject {
  const object = structuredClone(fileObject) as RoutingObject;
  object.metadata = { ...object.metadata, namespace: object.metadata?.namespace ?? ref.namespace, resourceVersion: versionOf(fileObject) };
  return object;
}

/** The object as a manifest file holds it: no server fields, no status. */
function forFile(object: RoutingObject): Record<string, unknown> {
  const { status: _status, ...rest } = structuredClone(object);
  const metadata: Record<string, unknown> = { ...rest.metadata };
  for (const field of SERVER_FIELDS) delete metadata[field];
  return { ...rest, metadata };
}

function matches(object: Record<string, unknown>, ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): boolean {
  const metadata = (object['metadata'] ?? {}) as { name?: unknown; namespace?: unknown };
  return object['kind'] === ref.kind && metadata.name === ref.name && (metadata.namespace === undefined || metadata.namespace === ref.namespace);
}

function refOfObject(object: RoutingObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name };
}

function key(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}
