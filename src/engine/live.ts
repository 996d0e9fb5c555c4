// Reading what the cluster has now: the routing objects the spec's backend reads, and our state on
// the one that carries it.
import { ClusterError, InputError } from '../errors.ts';
import { describeRef, refKey, refOf, type RoutingObject } from '../plan/objects.ts';
import { backendFor } from '../routing/registry.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { RoutingPort } from '../core/ports.ts';
import { decodeState } from '../core/state-codec.ts';
import { stateAnnotationKey, type RolloutState } from '../core/state.ts';

export interface Live {
  /** The objects the backend reads that exist, in its order. */
  objects: RoutingObject[];
  /** The one carrying the rollout state (always read, it must exist). */
  stateObject: RoutingObject;
  state?: RolloutState;
  /** What could not be listed and so was not checked (a list refused for lack of permission), in plain words. */
  unchecked: string[];
}

/** `VirtualService shop/catalog`: the object that carries the rollout, for messages. */
export const routingName = (spec: CanarySpec) => describeRef(backendFor(spec).stateObject(spec));

/** Reads the live objects. `tolerateBadState`: a damaged annotation reads as no state (abort overwrites it). */
export async function readLive(routing: RoutingPort, spec: CanarySpec, tolerateBadState = false): Promise<Live> {
  const backend = backendFor(spec);
  const stateRef = backend.stateObject(spec);
  const objects: RoutingObject[] = [];
  let stateObject: RoutingObject | undefined;
  for (const { ref, ifMissing } of backend.reads(spec)) {
    const object = await routing.get(ref);
    if (!object && ifMissing) throw new InputError(ifMissing);
    if (!object) continue;
    objects.push(object);
    if (refKey(ref) === refKey(stateRef)) stateObject = object;
  }
  const known = new Set(objects.map((o) => refKey(refOf(o, spec.namespace))));
  const unchecked: string[] = [];
  for (const { ref, labels, ifForbidden } of backend.lists?.(spec, objects) ?? []) {
    let listed: RoutingObject[];
    try {
      listed = await routing.list(ref, labels);
    } catch (e) {
      if (ifForbidden === undefined || !forbidden(e)) throw e;
      unchecked.push(ifForbidden);
      continue;
    }
    for (const object of listed) {
      const key = refKey(refOf(object, ref.namespace ?? spec.namespace));
      if (!known.has(key)) objects.push(object);
      known.add(key);
    }
  }
  if (!stateObject) throw new Error(`the ${backend.name} backend does not read ${describeRef(stateRef)}, where its state lives`);
  try {
    return { objects, stateObject, state: decodeState(stateObject, stateAnnotationKey(spec.name)), unchecked };
  } catch (e) {
    if (tolerateBadState) return { objects, stateObject, unchecked };
    throw e;
  }
}

/** The API server refused the credentials this request (not: it failed). */
const forbidden = (e: unknown) => e instanceof ClusterError && e.status === 403;
