// `istio-canary plan`: reads the spec and the live objects from files, prints every stage's
// summary and diff, and with --out writes the manifests and plan.json. Nothing touches a cluster.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { logSafe } from '../adapters/log-safe.ts';
import { InputError, describeError, exitCodeOf, type InputProblem } from '../errors.ts';
import { planFiles, planText } from '../plan/render.ts';
import { planLive, unrecorded } from '../engine/plan-live.ts';
import { commandHelp } from './help.ts';
import { loadCanarySpec, readInputFile } from '../spec/load.ts';
import { locate, type PathSegment } from '../spec/locate.ts';
import { loadManifest } from '../spec/manifest.ts';
import { readYaml } from '../spec/yaml-source.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { Plan } from '../plan/types.ts';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = commandHelp('plan');

export interface PlanFlags {
  spec: string;
  virtualService: string;
  destinationRule?: string;
  canary?: string;
  out?: string;
}

/** Exit code: 0 planned, 2 invalid input (message on stderr), 1 anything unexpected (message, no stack). */
export async function runPlanCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(USAGE);
      return 0;
    }
    const flags = parseFlags(argv);
    const { plan, text } = await planFromFiles(flags);
    io.stdout(logSafe(text));
    if (flags.out) {
      const files = planFiles(plan);
      await writeFiles(flags.out, files);
      io.stdout(logSafe(`\nwrote ${files.length} files to ${flags.out}\n`));
    }
    return 0;
  } catch (e) {
    io.stderr(logSafe(`istio-canary plan: ${describeError(e)}\n`));
    return exitCodeOf(e);
  }
}

/** Loads the spec and manifests, plans, and renders the stage-by-stage text. Shared with the action. */
export async function planFromFiles(flags: Omit<PlanFlags, 'out'>): Promise<{ spec: CanarySpec; plan: Plan; text: string }> {
  const spec = await loadCanarySpec(flags.spec, flags.canary);
  const virtualService = await loadManifest(flags.virtualService, 'VirtualService');
  const destinationRule = flags.destinationRule ? await loadManifest(flags.destinationRule, 'DestinationRule') : undefined;
  const plan = await withSourcePositions(flags, spec.source.document, () => planLive(spec, virtualService, destinationRule, { unrecorded: unrecorded(virtualService, spec.name) }));
  return { spec, plan, text: planText(plan, { virtualService, ...(destinationRule ? { destinationRule } : {}) }) };
}

function parseFlags(argv: string[]): PlanFlags {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        spec: { type: 'string' },
        'virtual-service': { type: 'string' },
        'destination-rule': { type: 'string' },
        canary: { type: 'string' },
        out: { type: 'string' },
      },
    }).values;
  } catch (e) {
    throw new InputError({ path: 'flags', message: `${describeError(e)}\n\n${USAGE}` });
  }
  const required = (flag: string, what: string): string => {
    const v = values[flag];
    if (!v) throw new InputError({ path: `--${flag}`, message: `required: ${what}\n\n${USAGE}` });
    return v;
  };
  return {
    spec: required('spec', 'the Canary spec file'),
    virtualService: required('virtual-service', 'the live VirtualService manifest'),
    ...(values['destination-rule'] ? { destinationRule: values['destination-rule'] } : {}),
    ...(values.canary ? { canary: values.canary } : {}),
    ...(values.out ? { out: values.out } : {}),
  };
}

/**
 * The plan reports problems by object and field (`VirtualService ns/name: spec.http[2].route`); here
 * the files are known, so each problem also gets the file, line and column where that field is.
 */
async function withSourcePositions<T>(flags: Omit<PlanFlags, 'out'>, specDocument: number | undefined, work: () => T): Promise<T> {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(await Promise.all(e.problems.map((p) => positioned(p, flags, specDocument))));
  }
}

const OBJECT_PROBLEM = /^(VirtualService|DestinationRule) [^:]+(?:: (.*))?$/;

async function positioned(problem: InputProblem, flags: Omit<PlanFlags, 'out'>, specDocument: number | undefined): Promise<InputProblem> {
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

async function writeFiles(dir: string, files: Array<{ path: string; content: string }>): Promise<void> {
  for (const f of files) {
    const target = join(dir, ...f.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content);
  }
}
