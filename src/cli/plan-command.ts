// `istio-canary plan`: reads the spec and the live objects from files, prints every stage's
// summary and diff, and with --out writes the manifests and plan.json. Nothing touches a cluster.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { logSafe } from '../adapters/log-safe.ts';
import { InputError, describeError, exitCodeOf } from '../errors.ts';
import { planFiles } from '../plan/render.ts';
import { planFromFiles, type PlanFiles } from '../app/plan-files.ts';
import { commandHelp } from './help.ts';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const USAGE = commandHelp('plan');

export interface PlanFlags extends PlanFiles {
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

function parseFlags(argv: string[]): PlanFlags {
  let values: Record<string, string | string[] | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        spec: { type: 'string' },
        'virtual-service': { type: 'string' },
        'destination-rule': { type: 'string' },
        // Repeatable: the managed route's file and files of the routes that compete with it.
        'http-route': { type: 'string', multiple: true },
        canary: { type: 'string' },
        out: { type: 'string' },
      },
    }).values;
  } catch (e) {
    throw new InputError({ path: 'flags', message: `${describeError(e)}\n\n${USAGE}` });
  }
  const one = (flag: string): string | undefined => values[flag] as string | undefined;
  const required = (flag: string, what: string): string => {
    const v = one(flag);
    if (!v) throw new InputError({ path: `--${flag}`, message: `required: ${what}\n\n${USAGE}` });
    return v;
  };
  const httpRoutes = (values['http-route'] as string[] | undefined) ?? [];
  return {
    spec: required('spec', 'the Canary spec file'),
    // One of them, by the spec's routing API (checked once the spec is read).
    ...(httpRoutes.length > 0 ? { httpRoutes } : { virtualService: required('virtual-service', 'the live VirtualService manifest') }),
    ...(one('destination-rule') ? { destinationRule: one('destination-rule')! } : {}),
    ...(one('canary') ? { canary: one('canary')! } : {}),
    ...(one('out') ? { out: one('out')! } : {}),
  };
}

async function writeFiles(dir: string, files: Array<{ path: string; content: string }>): Promise<void> {
  for (const f of files) {
    const target = join(dir, ...f.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.content);
  }
}
