// In-memory versions of the ports: a routing store that behaves like the API server where the
// engine cares (resourceVersion guard, field managers), a fake clock, a null metrics backend.
// Used by unit tests and dry runs; nothing here talks to the outside world.
import { ConflictError } from '../errors.ts';
import type { ManagedFieldsEntry } from '../istio/types.ts';
import { describeRef, refKey, type ObjectRef } from '../plan/objects.ts';
import type { Clock, Logger, MetricsPort, ReleaseEvent, ReportPort, RouteOwner, RoutingObject, RoutingPort } from '../core/ports.ts';
import { checkReadBack } from '../core/stored.ts';

/** Metrics for dry runs and commands that judge nothing: every query has no data. */
export const nullMetrics: MetricsPort = {
  query: async () => undefined,
  vector: async () => [],
};

export interface WriteAttempt {
  /** 1-based count of write calls so far, including this one. */
  n: number;
  object: RoutingObject;
}

export interface MemoryRoutingOptions {
  /** Field manager recorded for writes through the port (tests pass the Kubernetes adapter's). */
  fieldManager?: string;
  /** Who owns an object's routes, from what the store records (tests pass the Kubernetes adapter's
   * reading of managedFields); default: nobody known. */
  owner?: (object: RoutingObject) => RouteOwner;
  /** Called before each write is checked: throw to fail it, or edit the store to race it. */
  beforeWrite?: (attempt: WriteAttempt, store: MemoryRouting) => void | Promise<void>;
  /** Clock for managedFields times. */
  now?: () => number;
}

const keyOf = (kind: string, namespace: string, name: string) => refKey({ kind, namespace, name });

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** A RoutingPort over a Map. Every successful write bumps a global resourceVersion, like etcd. */
export class MemoryRouting implements RoutingPort {
  readonly #objects = new Map<string, RoutingObject>();
  readonly #options: MemoryRoutingOptions;
  #revision = 100;
  #writeCalls = 0;
  /** Every version stored by a write or an edit, in order (fixtures put in are not listed). */
  readonly history: RoutingObject[] = [];
  /** Every object deleted through the port, in order. */
  readonly deleted: ObjectRef[] = [];

  constructor(objects: RoutingObject[] = [], options: MemoryRoutingOptions = {}) {
    this.#options = options;
    for (const object of objects) this.put(object);
  }

  get writeCalls(): number {
    return this.#writeCalls;
  }

  async get<T extends RoutingObject>(ref: ObjectRef): Promise<T | undefined> {
    const found = this.#objects.get(refKey(ref));
    return found ? (copy(found) as T) : undefined;
  }

  async list(kind: Pick<ObjectRef, 'kind'> & { namespace?: string }, labels: Record<string, string>): Promise<RoutingObject[]> {
    const matches = (o: RoutingObject) => Object.entries(labels).every(([k, v]) => o.metadata.labels?.[k] === v);
    const inNamespace = (o: RoutingObject) => kind.namespace === undefined || o.metadata.namespace === kind.namespace;
    return [...this.#objects.values()].filter((o) => o.kind === kind.kind && inNamespace(o) && matches(o)).map(copy);
  }

  async delete(ref: ObjectRef, resourceVersion: string): Promise<void> {
    const live = this.#objects.get(refKey(ref));
    if (!live) return;
    if (live.metadata.resourceVersion !== resourceVersion) {
      throw new ConflictError(`${describeRef(ref)}: the object has been modified (resourceVersion ${resourceVersion}, stored ${live.metadata.resourceVersion})`, { status: 409 });
    }
    this.#objects.delete(refKey(ref));
    this.deleted.push(ref);
  }

  /** A write is in effect once stored: read back, and the write's answer is the record if someone wrote since. */
  async applied(ref: ObjectRef, desired: RoutingObject | undefined, stored?: RoutingObject): Promise<RoutingObject | undefined> {
    const back = this.#objects.get(refKey(ref));
    return copy(checkReadBack(ref, desired, back, stored));
  }

  owner(object: RoutingObject): RouteOwner {
    return this.#options.owner?.(object) ?? { kind: 'unknown' };
  }

  /** The stored object, synchronously (for assertions). */
  peek<T extends RoutingObject>(kind: string, namespace: string, name: string): T | undefined {
    const found = this.#objects.get(keyOf(kind, namespace, name));
    return found ? (copy(found) as T) : undefined;
  }

  async write<T extends RoutingObject>(object: T): Promise<T> {
    this.#writeCalls += 1;
    await this.#options.beforeWrite?.({ n: this.#writeCalls, object: copy(object) }, this);
    const { kind } = object;
    const namespace = object.metadata.namespace ?? 'default';
    const key = keyOf(kind, namespace, object.metadata.name);
    const live = this.#objects.get(key);
    const expected = object.metadata.resourceVersion;
    if (expected === undefined ? live !== undefined : live?.metadata.resourceVersion !== expected) {
      throw new ConflictError(
        `${kind} ${namespace}/${object.metadata.name}: the object has been modified (resourceVersion ${expected ?? 'none'}, stored ${live?.metadata.resourceVersion ?? 'none'})`,
        { status: 409 },
      );
    }
    const stored = this.#store({ ...copy(object), metadata: { ...copy(object.metadata), namespace } }, this.#options.fieldManager ?? 'memory');
    return copy(stored) as T;
  }

  /** Puts an object as-is (a fixture), bumping its resourceVersion. */
  put(object: RoutingObject): RoutingObject {
    const namespace = object.metadata.namespace ?? 'default';
    return this.#store({ ...copy(object), metadata: { ...copy(object.metadata), namespace } }, undefined, false);
  }

  /** Someone else's write: edits the stored object in place and bumps its resourceVersion. */
  edit<T extends RoutingObject>(kind: string, namespace: string, name: string, change: (object: T) => void, manager = 'kubectl-edit'): T {
    const live = this.peek<T>(kind, namespace, name);
    if (!live) throw new Error(`no ${kind} ${namespace}/${name} to edit`);
    change(live);
    return this.#store(live, manager) as T;
  }

  #store(object: RoutingObject, manager: string | undefined, record = true): RoutingObject {
    this.#revision += 1;
    object.metadata.resourceVersion = String(this.#revision);
    if (manager !== undefined) {
      object.metadata.managedFields = takeRoutesOver(object.metadata.managedFields ?? [], manager, this.#options.now?.() ?? 0);
    }
    this.#objects.set(keyOf(object.kind, object.metadata.namespace ?? 'default', object.metadata.name), object);
    if (record) this.history.push(copy(object));
    return object;
  }
}

/** An Update by `manager` that changes `spec.http` moves its ownership to `manager` (atomic list). */
function takeRoutesOver(entries: ManagedFieldsEntry[], manager: string, now: number): ManagedFieldsEntry[] {
  const others = entries
    .filter((e) => e.manager !== manager)
    .map((e) => {
      const fields = e.fieldsV1 as { 'f:spec'?: Record<string, unknown> } | undefined;
      if (!fields?.['f:spec']?.['f:http']) return e;
      const { 'f:http': _dropped, ...spec } = fields['f:spec'];
      return { ...e, fieldsV1: { ...fields, 'f:spec': spec } };
    });
  return [
    ...others,
    { manager, operation: 'Update', apiVersion: 'networking.istio.io/v1', time: new Date(now).toISOString(), fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:http': {} } } },
  ];
}

interface Sleeper {
  at: number;
  resolve: () => void;
}

/**
 * A clock whose time moves only when told to. `auto: true` jumps straight to the end of each
 * sleep (tests of whole releases); otherwise the test calls `advance`. `at(t, fn)` runs `fn` when
 * time reaches t — before any sleeper due at or after t wakes — e.g. to abort a signal at t.
 */
export class FakeClock implements Clock {
  #now: number;
  readonly #auto: boolean;
  #sleepers: Sleeper[] = [];
  #timers: Array<{ at: number; run: () => void }> = [];

  constructor(options: { start?: number; auto?: boolean } = {}) {
    this.#now = options.start ?? Date.parse('2026-01-01T00:00:00Z');
    this.#auto = options.auto ?? false;
  }

  now(): number {
    return this.#now;
  }

  /** Number of sleeps in progress. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  at(time: number, run: () => void): void {
    this.#timers.push({ at: time, run });
    this.#timers.sort((a, b) => a.at - b.at);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
      if (this.#auto) queueMicrotask(() => this.#wake(sleeper));
    });
  }

  /** Moves time forward by ms, running timers and waking sleepers in time order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#nextDue(target);
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      this.#fire(next);
    }
    this.#now = target;
  }

  #wake(sleeper: Sleeper): void {
    for (;;) {
      if (!this.#sleepers.includes(sleeper)) return; // aborted while time moved
      const next = this.#nextDue(sleeper.at);
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      this.#fire(next);
    }
  }

  #nextDue(limit: number): { at: number; timer?: () => void; sleeper?: Sleeper } | undefined {
    const timer = this.#timers[0];
    const sleeper = [...this.#sleepers].sort((a, b) => a.at - b.at)[0];
    // Timers first at equal times: an abort at t wins over a sleep that ends at t.
    if (timer && timer.at <= limit && (!sleeper || timer.at <= sleeper.at)) return { at: timer.at, timer: timer.run };
    if (sleeper && sleeper.at <= limit) return { at: sleeper.at, sleeper };
    return undefined;
  }

  #fire(next: { timer?: () => void; sleeper?: Sleeper }): void {
    if (next.timer) {
      this.#timers.shift();
      next.timer();
    } else if (next.sleeper) {
      const sleeper = next.sleeper;
      this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
      sleeper.resolve();
    }
  }
}

/** A Logger that keeps every line, for assertions. */
export class MemoryLog implements Logger {
  readonly lines: Array<{ level: 'info' | 'warning' | 'error'; message: string }> = [];
  readonly events: ReleaseEvent[] = [];
  event(event: ReleaseEvent): void {
    this.events.push(event);
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warning(message: string): void {
    this.lines.push({ level: 'warning', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  messages(level: 'info' | 'warning' | 'error'): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

/** A ReportPort that keeps every published report. */
export class MemoryReport implements ReportPort {
  readonly published: string[] = [];
  async publish(markdown: string): Promise<void> {
    this.published.push(markdown);
  }
}
