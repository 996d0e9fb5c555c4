// The writes between two sets of objects, ordered make before break: an object that starts using
// something (a subset, a service) comes after the object that starts providing it; an object that
// stops providing something comes after every object that stops using it. What "provides" and
// "uses" mean is the routing backend's (Links); the ordering is the same for every kind.
import { jsonEqual } from '../istio/clone.ts';
import { refKey, refOf, type ObjectRef, type RoutingObject } from './objects.ts';
import type { ObjectOperation } from './types.ts';

/** What an object offers to others and needs from them, as opaque tokens (e.g. `subset:<host>/<name>`). */
export interface Links {
  provides(object: RoutingObject): string[];
  uses(object: RoutingObject): string[];
}

interface Pending {
  op: ObjectOperation;
  before?: RoutingObject;
  after?: RoutingObject;
}

/**
 * Operations taking `from` to `to`: an apply for every object of `to` (marked `changed` when its spec
 * differs from `from`'s or it is new) and a delete for every ref in `deletes`, ordered so that each
 * one's `after` (the changed operations that must be in effect first) comes before it.
 */
export function operationsBetween(from: readonly RoutingObject[], to: readonly RoutingObject[], links: Links, deletes: readonly ObjectRef[] = []): ObjectOperation[] {
  const previous = new Map(from.map((o) => [refKey(refOf(o)), o]));
  const pending: Pending[] = [
    ...to.map((object): Pending => {
      const before = previous.get(refKey(refOf(object)));
      const changed = before === undefined || !jsonEqual(before.spec, object.spec);
      return { op: { action: 'apply', ref: refOf(object), object, changed, after: [] }, ...(before ? { before } : {}), after: object };
    }),
    ...deletes.map((ref): Pending => {
      const before = previous.get(refKey(ref));
      return { op: { action: 'delete', ref, after: [] }, ...(before ? { before } : {}) };
    }),
  ];
  const active = pending.filter((p) => isChange(p.op));
  for (const x of active) {
    for (const y of active) {
      if (x !== y && mustPrecede(y, x, links)) x.op.after.push(y.op.ref);
    }
  }
  return ordered(pending);
}

export const isChange = (op: ObjectOperation): boolean => op.action === 'delete' || op.changed;

const tokens = (object: RoutingObject | undefined, f: (o: RoutingObject) => string[]) => new Set(object ? f(object) : []);

/** y must be in effect before x: x starts using what y starts providing (make), or x stops providing
 * what y stops using (break only what nothing routes to any more). */
function mustPrecede(y: Pending, x: Pending, links: Links): boolean {
  const made = gained(y, links.provides).some((t) => tokens(x.after, links.uses).has(t));
  const lost = gained(y, links.uses, true);
  return made || gained(x, links.provides, true).some((t) => lost.includes(t));
}

/** Tokens the operation adds (or, `dropped`, removes) of one relation. */
function gained(p: Pending, relation: (o: RoutingObject) => string[], dropped = false): string[] {
  const [a, b] = dropped ? [p.after, p.before] : [p.before, p.after];
  const had = tokens(a, relation);
  return [...tokens(b, relation)].filter((t) => !had.has(t));
}

/** A topological order that keeps the given order where the links allow (Kahn, lowest index first). */
function ordered(pending: Pending[]): ObjectOperation[] {
  const done = new Set<string>();
  const out: ObjectOperation[] = [];
  const left = [...pending];
  while (left.length > 0) {
    const i = left.findIndex((p) => p.op.after.every((r) => done.has(refKey(r))));
    if (i < 0) throw new Error(`the planned writes depend on each other in a circle: ${left.map((p) => refKey(p.op.ref)).join(', ')}`);
    const [next] = left.splice(i, 1);
    out.push(next!.op);
    done.add(refKey(next!.op.ref));
  }
  return out;
}
