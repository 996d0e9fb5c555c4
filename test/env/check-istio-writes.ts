// CI's check of what istio-canary wrote to the test API server during a test run, with Istio's own
// code: every object it wrote must pass `istioctl validate` (unless the object it replaced was
// already refused: a test's deliberately broken input), and `istioctl analyze --use-kube=false`
// of the namespace after each edit must report nothing it did not report before the edit.
//
//   node test/env/check-istio-writes.ts [--log FILE] [--since ISO-TIME] [--field-manager NAME]
//
// Exit 0: all accepted, no new finding. Exit 1: the problems are listed. Exit 2: bad arguments.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureIstioctl, istioctlAnalyze, istioctlValidate, newFindings, type AnalyzerFinding } from './istio-tools.ts';
import { istioWritesFromFile, type IstioObject, type IstioWrite } from './istio-writes.ts';
import { defaultStateDir } from './mesh.ts';

export interface WriteProblem {
  write: string;
  problem: string;
}

export interface CheckResult {
  writes: number;
  objects: number;
  states: number;
  problems: WriteProblem[];
  /** Writes whose input was already refused by istioctl validate: reported, not failed. */
  notes: string[];
}

function describeWrite(w: IstioWrite): string {
  return `${w.at} ${w.verb} ${w.kind} ${w.namespace}/${w.name}`;
}

/** Writes each object to its own JSON file in a fresh directory; returns the paths. */
function writeObjects(root: string, label: string, objects: IstioObject[]): string[] {
  const dir = mkdtempSync(join(root, `${label}-`));
  return objects.map((o, i) => {
    const file = join(dir, `${i}-${o.kind}-${o.metadata.name}.json`.replace(/[^A-Za-z0-9._-]/g, '_'));
    writeFileSync(file, `${JSON.stringify(o)}\n`);
    return file;
  });
}

/** Runs `work` over the items with at most `limit` in flight (the machine has few cores). */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function checkIstioWrites(writes: IstioWrite[], istioctl: string): Promise<CheckResult> {
  const root = mkdtempSync(join(tmpdir(), 'istio-writes-'));
  try {
    const problems: WriteProblem[] = [];
    const notes: string[] = [];
    const validation = new Map<string, Promise<string | undefined>>();
    const refusal = (o: IstioObject): Promise<string | undefined> => {
      const key = JSON.stringify(o);
      let p = validation.get(key);
      if (!p) {
        p = istioctlValidate(istioctl, writeObjects(root, 'validate', [o])).then((r) => (r.code === 0 ? undefined : (r.stderr || r.stdout).trim()));
        validation.set(key, p);
      }
      return p;
    };
    const written = writes.filter((w) => w.object !== undefined);
    await inParallel(written, 2, async (w) => {
      const refused = await refusal(w.object!);
      if (refused === undefined) return;
      const previous = w.before.get(`${w.kind}/${w.name}`);
      if (previous !== undefined && (await refusal(previous)) !== undefined) {
        notes.push(`${describeWrite(w)}: refused, as the object it replaced already was`);
      } else {
        problems.push({ write: describeWrite(w), problem: `istioctl validate refuses it:\n${refused}` });
      }
    });

    const analysis = new Map<string, Promise<AnalyzerFinding[]>>();
    const findings = (state: Map<string, IstioObject>): Promise<AnalyzerFinding[]> => {
      const objects = [...state.values()];
      const key = JSON.stringify(objects);
      let p = analysis.get(key);
      if (!p) {
        p = objects.length === 0 ? Promise.resolve([]) : istioctlAnalyze(istioctl, writeObjects(root, 'analyze', objects));
        analysis.set(key, p);
      }
      return p;
    };
    // istio-canary edits the VirtualService it finds and never creates one: a write that creates a
    // VirtualService under its name is a test laying out its input, judged by validate only.
    const edits = writes.filter((w) => !(w.kind === 'VirtualService' && w.verb !== 'delete' && !w.before.has(`${w.kind}/${w.name}`)));
    await inParallel(edits, 2, async (w) => {
      const added = newFindings(await findings(w.before), await findings(w.after));
      for (const f of added) problems.push({ write: describeWrite(w), problem: `istioctl analyze: new ${f.level} ${f.code} ${f.origin}: ${f.message}` });
    });
    return { writes: writes.length, objects: validation.size, states: analysis.size, problems, notes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function defaultLog(): string {
  const env = JSON.parse(readFileSync(join(defaultStateDir, 'env.json'), 'utf8')) as { istioWrites?: string };
  if (!env.istioWrites) throw new Error(`${join(defaultStateDir, 'env.json')} names no istioWrites log: restart the mesh (npm run mesh:down && npm run mesh:up)`);
  return env.istioWrites;
}

async function main(argv: string[]): Promise<number> {
  let values: { log?: string; since?: string; 'field-manager'?: string };
  try {
    values = parseArgs({ args: argv, strict: true, options: { log: { type: 'string' }, since: { type: 'string' }, 'field-manager': { type: 'string' } } }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\nusage: node test/env/check-istio-writes.ts [--log FILE] [--since ISO-TIME] [--field-manager NAME]`);
    return 2;
  }
  const since = values.since ?? '';
  if (since !== '' && Number.isNaN(Date.parse(since))) {
    console.error(`--since: expected an ISO 8601 time such as 2026-01-01T00:00:00Z, got ${JSON.stringify(since)}`);
    return 2;
  }
  const manager = values['field-manager'] ?? 'istio-canary';
  const log = values.log ?? defaultLog();
  const sinceMs = since === '' ? 0 : Date.parse(since);
  const writes = istioWritesFromFile(log).filter((w) => w.fieldManager === manager && Date.parse(w.at) >= sinceMs);
  const started = Date.now();
  const result = await checkIstioWrites(writes, await ensureIstioctl());
  for (const note of result.notes) console.log(`note: ${note}`);
  console.log(
    `istio writes by ${manager}: ${result.writes} writes, ${result.objects} distinct objects validated, ${result.states} namespace states analyzed ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.problems.length} problems`,
  );
  for (const p of result.problems) console.log(`PROBLEM ${p.write}: ${p.problem}`);
  if (result.writes === 0 && process.env['CI'] === 'true') {
    console.error('no write by the field manager was recorded: the check would pass without checking anything');
    return 1;
  }
  return result.problems.length === 0 ? 0 : 1;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
