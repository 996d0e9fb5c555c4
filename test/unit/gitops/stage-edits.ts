// The edits a release makes to a managed VirtualService and DestinationRule, as plain object
// changes: what the tests of in-place editing apply to real-world manifest files.
type Json = Record<string, any>;

export function withCanarySubset(dr: Json, subset: string, version: string): Json {
  const next = structuredClone(dr);
  next.spec.subsets.push({ name: subset, labels: { version } });
  return next;
}

/** The owned route split between stable and canary, the state annotation set. */
export function withWeights(vs: Json, routeIndex: number, canarySubset: string, canaryWeight: number, state: string): Json {
  const next = structuredClone(vs);
  next.metadata.annotations = { ...next.metadata.annotations, 'istio-canary.io/state': state };
  const route = next.spec.http[routeIndex];
  const stable = route.route[0];
  stable.weight = 100 - canaryWeight;
  const canary = route.route.find((d: Json) => d.destination.subset === canarySubset);
  if (canary) canary.weight = canaryWeight;
  else route.route.push({ destination: { ...stable.destination, subset: canarySubset }, weight: canaryWeight });
  return next;
}

/** A header-matched route to the canary, inserted before the owned route. */
export function withHeaderRoute(vs: Json, routeIndex: number, canarySubset: string, header: string, value: string): Json {
  const next = structuredClone(vs);
  const owned = next.spec.http[routeIndex];
  next.spec.http.splice(routeIndex, 0, {
    name: `${owned.name ?? 'route'}-canary`,
    match: [{ headers: { [header]: { exact: value } } }],
    route: [{ destination: { ...owned.route[0].destination, subset: canarySubset } }],
  });
  return next;
}

export function withMirror(vs: Json, routeIndex: number, canarySubset: string, percent: number): Json {
  const next = structuredClone(vs);
  const owned = next.spec.http[routeIndex];
  owned.mirror = { host: owned.route[0].destination.host, subset: canarySubset };
  owned.mirrorPercentage = { value: percent };
  return next;
}
