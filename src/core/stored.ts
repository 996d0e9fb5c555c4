// Whether what a store kept is what was written: the spec, and every label and annotation we sent.
// A mutating webhook or an older CRD schema can change an object on its way in; a stage must not
// bake on routing other than the one planned.
import { jsonEqual } from '../istio/clone.ts';
import { ClusterError } from '../errors.ts';
import { describeRef, type ObjectRef, type RoutingObject } from '../plan/objects.ts';

/** Where `stored` first differs from `desired` (`spec.http[0].route`, `metadata.annotations["k"]`), or undefined. */
export function storedDifference(desired: RoutingObject, stored: RoutingObject): string | undefined {
  const spec = firstDifference(desired.spec, stored.spec, 'spec');
  if (spec !== undefined) return spec;
  for (const field of ['labels', 'annotations'] as const) {
    for (const [key, value] of Object.entries(desired.metadata[field] ?? {})) {
      if (stored.metadata[field]?.[key] !== value) return `metadata.${field}["${key}"]`;
    }
  }
  return undefined;
}

/** Path of the first difference between two JSON values, or undefined when equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (jsonEqual(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const child = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`);
    if (child !== undefined) return child;
  }
  return path;
}

function notAsWritten(name: string, path: string): string {
  return `${name}: the API server stored something other than what was written (at ${path}); a mutating webhook or an older Istio CRD schema may have changed it`;
}

/**
 * Apply mode's "in effect": `back` (read right after the write) is what was written — or, when someone
 * wrote after us, the write's answer `stored` is. A delete is in effect once that version is gone.
 */
export function checkReadBack(ref: ObjectRef, desired: RoutingObject | undefined, back: RoutingObject | undefined, stored?: RoutingObject): RoutingObject | undefined {
  const name = describeRef(ref);
  if (desired === undefined) {
    if (back && back.metadata.resourceVersion === stored?.metadata.resourceVersion) throw new ClusterError(`${name} is still there after it was deleted`);
    return undefined;
  }
  if (!back) throw new ClusterError(`${name} disappeared right after it was written; check who deletes it`);
  const record = stored === undefined || back.metadata.resourceVersion === stored.metadata.resourceVersion ? back : stored;
  const path = storedDifference(desired, record);
  if (path !== undefined) throw new ClusterError(notAsWritten(name, path));
  return record;
}
