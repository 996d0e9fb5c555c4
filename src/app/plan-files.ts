// A plan from files: the spec and the live objects read from disk, planned, and every problem
// located in its file. Shared by `istio-canary plan` and the action's `command: plan`.
import { InputError, type InputProblem } from '../errors.ts';
import { planText } from '../plan/render.ts';
import type { Plan } from '../plan/types.ts';
import { planLive, unrecorded } from '../engine/plan-live.ts';
import { loadCanarySpec, readInputFile } from '../spec/load.ts';
import { locate, type PathSegment } from '../spec/locate.ts';
import { loadManifest } from '../spec/manifest.ts';
import type { CanarySpec } from '../spec/types.ts';
import { readYaml } from '../spec/yaml-source.ts';

/** Where the inputs of a plan are. */
export interface PlanFiles {
  spec: string;
  virtualService: string;
  destinationRule?: string;
  canary?: string;
}

/** Loads the spec and manifests, plans, and renders the stage-by-stage text. Shared by the CLI and the action. */
export async function planFromFiles(flags: PlanFiles): Promise<{ spec: CanarySpec; plan: Plan; text: string }> {
  const spec = await loadCanarySpec(flags.spec, flags.canary);
  const virtualService = await loadManifest(flags.virtualService, 'VirtualService');
  const destinationRule = flags.destinationRule ? await loadManifest(flags.destinationRule, 'DestinationRule') : undefined;
  const live = destinationRule ? [virtualService, destinationRule] : [virtualService];
  // A split in manifests that carry no rollout of this canary is someone else's: refused as `run` would.
  const plan = await withSourcePositions(flags, spec.source.document, () => planLive(spec, live, { unrecorded: unrecorded(virtualService, spec.name) }));
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

const OBJECT_PROBLEM = /^(VirtualService|DestinationRule) [^:]+(?:: (.*))?$/;

async function positioned(problem: InputProblem, flags: PlanFiles, specDocument: number | undefined): Promise<InputProblem> {
  if (problem.line !== undefined) return problem;
  const object = OBJECT_PROBLEM.exec(problem.path);
  const file = object ? (object[1] === 'VirtualService' ? flags.virtualService : flags.destinationRule) : problem.file === flags.spec ? flags.spec : undefined;
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

