// A plan from files: the spec and the live objects read from disk, planned, and every problem
// located in its file. Shared by `istio-canary plan` and the action's `command: plan`.
import { InputError, type InputProblem } from '../errors.ts';
import { planText } from '../plan/render.ts';
import type { Plan, RoutingObject } from '../plan/types.ts';
import { planLive, unrecorded } from '../engine/plan-live.ts';
import { loadCanarySpec, readInputFile } from '../spec/load.ts';
import { locate, type PathSegment } from '../spec/locate.ts';
import { loadManifest, parseManifests } from '../spec/manifest.ts';
import type { CanarySpec } from '../spec/types.ts';
import { readYaml } from '../spec/yaml-source.ts';

/** Where the inputs of a plan are. */
export interface PlanFiles {
  spec: string;
  /** The live VirtualService (routing virtualService). */
  virtualService?: string;
  destinationRule?: string;
  /** Files holding the live HTTPRoute (routing httpRoute) and the other HTTPRoutes that compete with it:
   * every HTTPRoute in them is read, the one the spec names is released. */
  httpRoutes?: string[];
  canary?: string;
}

/** Where an HTTPRoute of the given files was read: file and document, by `namespace/name`. */
type RouteSources = Map<string, { file: string; document: number }>;

interface LiveFromFiles {
  objects: RoutingObject[];
  routeSources: RouteSources;
  /** What the files cannot show (routes only in the cluster). */
  unchecked: string[];
}

/** The live objects the spec's routing API plans against, from their files; the state object first. */
async function liveObjects(flags: PlanFiles, spec: CanarySpec): Promise<LiveFromFiles> {
  if (spec.routing === 'httpRoute') return httpRoutesFromFiles(flags, spec);
  if (!flags.virtualService) throw new InputError({ file: flags.spec, path: 'spec.virtualService', message: 'give the live VirtualService manifest with --virtual-service FILE' });
  const virtualService = await loadManifest(flags.virtualService, 'VirtualService');
  const destinationRule = flags.destinationRule ? await loadManifest(flags.destinationRule, 'DestinationRule') : undefined;
  return { objects: destinationRule ? [virtualService, destinationRule] : [virtualService], routeSources: new Map(), unchecked: [] };
}

async function httpRoutesFromFiles(flags: PlanFiles, spec: CanarySpec): Promise<LiveFromFiles> {
  const files = flags.httpRoutes ?? [];
  if (files.length === 0) throw new InputError({ file: flags.spec, path: 'spec.routing', message: 'the spec routes with an HTTPRoute: give its manifest with --http-route FILE' });
  const routeSources: RouteSources = new Map();
  const routes: RoutingObject[] = [];
  for (const file of files) {
    for (const { object, document } of parseManifests(await readInputFile(file), file, 'HTTPRoute')) {
      // Manifests often omit the namespace: a route without one is in the spec's.
      const key = `${object.metadata.namespace ?? spec.namespace}/${object.metadata.name}`;
      const first = routeSources.get(key);
      if (first) throw new InputError({ file, path: `HTTPRoute ${key}`, message: `given twice (also in ${first.file}); expected each HTTPRoute once` });
      routeSources.set(key, { file, document });
      // An HTTPRoute is a routing object like the others; its manifest type is the Gateway API's own.
      routes.push(object as unknown as RoutingObject);
    }
  }
  const named = routes.filter((r) => r.metadata.name === spec.httpRoute?.name);
  // One of that name in another namespace is taken, so the plan says which namespace was expected.
  const managed = named.find((r) => (r.metadata.namespace ?? spec.namespace) === spec.namespace) ?? (routes.length === 1 ? routes[0] : named[0]);
  if (!managed) {
    throw new InputError({ file: files.join(', '), path: '', message: `no HTTPRoute ${spec.namespace}/${spec.httpRoute?.name ?? ''} (the spec's httpRoute) in the given files; expected it among them` });
  }
  const unchecked = `HTTPRoutes only in the cluster, not in ${files.join(', ')} (planned from files, nothing is read from a cluster): routes there on the same parents, of this namespace or others, may compete for the cohort or take their namespace's clients; \`run\` and \`start\` check them`;
  return { objects: [managed, ...routes.filter((r) => r !== managed)], routeSources, unchecked: [unchecked] };
}

/** Loads the spec and manifests, plans, and renders the stage-by-stage text. Shared by the CLI and the action. */
export async function planFromFiles(flags: PlanFiles): Promise<{ spec: CanarySpec; plan: Plan; text: string }> {
  const spec = await loadCanarySpec(flags.spec, flags.canary);
  const live = await liveObjects(flags, spec);
  // A split in manifests that carry no rollout of this canary is someone else's: refused as `run` would.
  const options = { unrecorded: unrecorded(live.objects[0]!, spec.name), unchecked: live.unchecked };
  const plan = await withSourcePositions(flags, spec, live.routeSources, () => planLive(spec, live.objects, options));
  return { spec, plan, text: planText(plan, live.objects) };
}

/**
 * The plan reports problems by object and field (`VirtualService ns/name: spec.http[2].route`); here
 * the files are known, so each problem also gets the file, line and column where that field is.
 */
async function withSourcePositions<T>(flags: PlanFiles, spec: CanarySpec, routeSources: RouteSources, work: () => T): Promise<T> {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(await Promise.all(e.problems.map((p) => positioned(p, flags, spec, routeSources))));
  }
}

const OBJECT_PROBLEM = /^(VirtualService|DestinationRule|HTTPRoute) ([^:]+?)(?:: (.*))?$/;

/** The file and document of the object a problem names, if the plan read it from a file. */
function objectSource(kind: string, name: string, flags: PlanFiles, spec: CanarySpec, routeSources: RouteSources): { file: string; document?: number } | undefined {
  if (kind === 'HTTPRoute') return routeSources.get(name.includes('/') ? name : `${spec.namespace}/${name}`);
  const file = kind === 'VirtualService' ? flags.virtualService : flags.destinationRule;
  return file === undefined ? undefined : { file };
}

async function positioned(problem: InputProblem, flags: PlanFiles, spec: CanarySpec, routeSources: RouteSources): Promise<InputProblem> {
  if (problem.line !== undefined) return problem;
  const object = OBJECT_PROBLEM.exec(problem.path);
  const where = object ? objectSource(object[1]!, object[2]!, flags, spec, routeSources) : problem.file === flags.spec ? { file: flags.spec, document: spec.source.document } : undefined;
  if (where === undefined) return problem;
  const file = where.file;
  const source = readYaml(await readInputFile(file), file);
  const document = (source.documents.find((d) => d.index === where.document) ?? source.documents[0])?.document;
  const at = document && locate(document, source.lines, pathSegments(object ? (object[3] ?? '') : problem.path));
  return { ...problem, file, ...(at ? { line: at.line, column: at.column } : {}) };
}

/** `spec.http[2].route` → ['spec', 'http', 2, 'route']. */
function pathSegments(path: string): PathSegment[] {
  return Array.from(path.matchAll(/([^.[\]]+)|\[(\d+)\]/g), (m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

