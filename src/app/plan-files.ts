// A plan from files: the spec and the live objects read from disk, planned, and every problem
// located in its file. Shared by `istio-canary plan` and the action's `command: plan`.
import { InputError, type InputProblem } from '../errors.ts';
import { planText } from '../plan/render.ts';
import type { Plan, RoutingObject } from '../plan/types.ts';
import { planLive, unrecorded } from '../engine/plan-live.ts';
import { loadCanarySpec, readInputFile } from '../spec/load.ts';
import { locate, type PathSegment } from '../spec/locate.ts';
import { loadManifest } from '../spec/manifest.ts';
import type { CanarySpec } from '../spec/types.ts';
import { readYaml } from '../spec/yaml-source.ts';

/** Where the inputs of a plan are. */
export interface PlanFiles {
  spec: string;
  /** The live VirtualService (routing virtualService). */
  virtualService?: string;
  destinationRule?: string;
  /** The live HTTPRoute (routing httpRoute). */
  httpRoute?: string;
  canary?: string;
}

/** The live objects the spec's routing API plans against, from their files. */
async function liveObjects(flags: PlanFiles, spec: CanarySpec): Promise<RoutingObject[]> {
  if (spec.routing === 'httpRoute') {
    if (!flags.httpRoute) throw new InputError({ file: flags.spec, path: 'spec.routing', message: 'the spec routes with an HTTPRoute: give its manifest with --http-route FILE' });
    // An HTTPRoute is a routing object like the others; its manifest type is the Gateway API's own.
    return [(await loadManifest(flags.httpRoute, 'HTTPRoute')) as unknown as RoutingObject];
  }
  if (!flags.virtualService) throw new InputError({ file: flags.spec, path: 'spec.virtualService', message: 'give the live VirtualService manifest with --virtual-service FILE' });
  const virtualService = await loadManifest(flags.virtualService, 'VirtualService');
  const destinationRule = flags.destinationRule ? await loadManifest(flags.destinationRule, 'DestinationRule') : undefined;
  return destinationRule ? [virtualService, destinationRule] : [virtualService];
}

/** Loads the spec and manifests, plans, and renders the stage-by-stage text. Shared by the CLI and the action. */
export async function planFromFiles(flags: PlanFiles): Promise<{ spec: CanarySpec; plan: Plan; text: string }> {
  const spec = await loadCanarySpec(flags.spec, flags.canary);
  const live = await liveObjects(flags, spec);
  // A split in manifests that carry no rollout of this canary is someone else's: refused as `run` would.
  const plan = await withSourcePositions(flags, spec.source.document, () => planLive(spec, live, { unrecorded: unrecorded(live[0]!, spec.name) }));
  return { spec, plan, text: planText(plan, live) };
}

/**
 * The plan reports problems by object and field (`VirtualService ns/name: spec.http[2].route`); here
 * the files are known, so each problem also gets the file, line and column where that field is.
 */
async function withSourcePositions<T>(flags: PlanFiles, specDocument: number | undefined, work: () => T): Promise<T> {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(await Promise.all(e.problems.map((p) => positioned(p, flags, specDocument))));
  }
}

const OBJECT_PROBLEM = /^(VirtualService|DestinationRule|HTTPRoute) [^:]+(?:: (.*))?$/;

async function positioned(problem: InputProblem, flags: PlanFiles, specDocument: number | undefined): Promise<InputProblem> {
  if (problem.line !== undefined) return problem;
  const object = OBJECT_PROBLEM.exec(problem.path);
  const files: Record<string, string | undefined> = { VirtualService: flags.virtualService, DestinationRule: flags.destinationRule, HTTPRoute: flags.httpRoute };
  const file = object ? files[object[1]!] : problem.file === flags.spec ? flags.spec : undefined;
  if (file === undefined) return problem;
  const source = readYaml(await readInputFile(file), file);
  const document = (object ? source.documents[0] : (source.documents.find((d) => d.index === specDocument) ?? source.documents[0]))?.document;
  const at = document && locate(document, source.lines, pathSegments(object ? (object[2] ?? '') : problem.path));
  return { ...problem, file, ...(at ? { line: at.line, column: at.column } : {}) };
}

/** `spec.http[2].route` → ['spec', 'http', 2, 'route']. */
function pathSegments(path: string): PathSegment[] {
  return Array.from(path.matchAll(/([^.[\]]+)|\[(\d+)\]/g), (m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

