// Figure 4: cold start of the action's bundle (`node dist/index.js` with no inputs: it loads,
// reads its inputs and fails with the missing-input message) against a bare `node -e ""` on the
// same Node binary, runs interleaved, median; and the bundle sizes. Then where the time goes:
// a CPU profile of an unminified build of the same entry, its self time attributed to the
// package each bundled module came from (esbuild marks every module with a `// path` comment).
// Beside them, Azure/k8s-deploy's action as a baseline bundle built here from the same npm packages
// and imports (bench/baseline/k8s-deploy-imports.ts); K8S_DEPLOY_BUNDLE=<path> adds a real build of
// it to the same loop (built by hand, never by this script), and COLDSTART_BEFORE=<dir> the
// index.js and post.js of another build of ours (e.g. main's dist/) for before/after in one run.
// Wall time is the figure; CPU time (user + sys of each child, from this process's /proc/self/stat
// children counters, Linux only) is printed beside it, as it moves far less with the machine's load.
// Run `npm run bundle` first. Run alone: npx node bench/release-coldstart.ts [runs]
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { load, median } from './release-common.ts';
import { bundleOptions } from '../scripts/bundle-options.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
/** No INPUT_*, no GITHUB_* variables: the action starts as with no inputs at all. */
const CLEAN_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

export interface ColdStart {
  node: string;
  runs: number;
  times: Record<string, number[]>;
  /** Mean CPU time (user + sys) per run of each command, ms; absent where /proc is not there. */
  cpu?: Record<string, number>;
  /** Per entry: its own size, and with every chunk it imports statically (what a start loads). */
  sizes: Array<{ file: string; bytes: number; startupBytes: number; startupGzip: number }>;
  /** Every .js file under dist/, lazily imported chunks included. */
  totalBytes: number;
  files: number;
  loadBefore: string;
  loadAfter: string;
}

const COMMANDS: Record<string, string[]> = {
  'node -e ""': ['-e', ''],
  'node dist/index.js': [join(DIST, 'index.js')],
  'node dist/post.js': [join(DIST, 'post.js')],
  'node dist/cli.js --help': [join(DIST, 'cli.js'), '--help'],
};

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The file and every file it reaches through static `import ... from "./x.js"` (not `import()`), in the minified output. */
function staticClosure(entry: string, seen = new Set<string>()): string[] {
  if (seen.has(entry)) return [];
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const m of text.matchAll(/\bimport\s*(?:[\w$*{}\s,]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g)) staticClosure(resolve(dirname(entry), m[1]!), seen);
  return [...seen];
}

/** CPU time (user + sys, ms) of every child this process has waited for, or undefined off Linux.
 * The kernel counts in clock ticks (USER_HZ, 100 a second on Linux): exact enough as a mean over runs. */
function childrenCpuMs(): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): cutime and cstime are the 14th and 15th.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** Wall and CPU time of one process, start to exit; a failing exit (the missing inputs) is expected. */
async function timeProcess(args: string[]): Promise<{ wall: number; cpu?: number }> {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  await run(process.execPath, args, { env: CLEAN_ENV, cwd: tmpdir() }).catch(() => undefined);
  const wall = performance.now() - start;
  const cpuAfter = childrenCpuMs();
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

/** The floor of any action on @actions/core: a bundle that reads one input and fails, like ours with no inputs. */
export const FLOOR = 'node <bundle of @actions/core alone>';

async function buildFloor(dir: string): Promise<string> {
  // .mjs: read as ESM at once, as dist/*.js are (package.json type module); a .js here would first be
  // parsed as CommonJS and then again as ESM.
  const outfile = join(dir, 'floor.mjs');
  await build({
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the bundled source itself holds a template literal
    stdin: { contents: "import * as core from '@actions/core';\ncore.setFailed(`input namespace: ${core.getInput('namespace') || 'required'}`);\n", resolveDir: ROOT, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    logLevel: 'error',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}

/** Azure/k8s-deploy's bundle, as its build script makes it (esbuild, one ESM file, not minified), from
 * the same npm packages and imports (bench/baseline/k8s-deploy-imports.ts). */
export const K8S_DEPLOY = 'node <k8s-deploy baseline bundle>';
export const K8S_DEPLOY_REAL = 'node <k8s-deploy real bundle (K8S_DEPLOY_BUNDLE)>';
export const BEFORE_INDEX = 'node <COLDSTART_BEFORE>/index.js';
export const BEFORE_POST = 'node <COLDSTART_BEFORE>/post.js';

async function buildK8sDeployBaseline(dir: string): Promise<string> {
  const outfile = join(dir, 'k8s-deploy.mjs'); // its package.json says type module, like ours
  await build({
    entryPoints: [join(ROOT, 'bench/baseline/k8s-deploy-imports.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'error',
    banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
  });
  return outfile;
}

export async function measureColdStart(runs: number): Promise<ColdStart> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const real = process.env.K8S_DEPLOY_BUNDLE ? { [K8S_DEPLOY_REAL]: [process.env.K8S_DEPLOY_BUNDLE] } : {};
  const before = process.env.COLDSTART_BEFORE ? { [BEFORE_INDEX]: [join(process.env.COLDSTART_BEFORE, 'index.js')], [BEFORE_POST]: [join(process.env.COLDSTART_BEFORE, 'post.js')] } : {};
  const commands = { ...COMMANDS, ...before, [FLOOR]: [await buildFloor(dir)], [K8S_DEPLOY]: [await buildK8sDeployBaseline(dir)], ...real };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const cpuTotals: Record<string, number> = Object.fromEntries(Object.keys(commands).map((k) => [k, 0]));
  let cpuKnown = true;
  const loadBefore = load();
  for (const args of Object.values(commands)) await timeProcess(args); // page cache warm
  for (let i = 0; i < runs; i++) {
    const order = Object.entries(commands);
    if (i % 2 === 1) order.reverse();
    for (const [name, args] of order) {
      const t = await timeProcess(args);
      times[name]!.push(t.wall);
      if (t.cpu === undefined) cpuKnown = false;
      else cpuTotals[name]! += t.cpu;
    }
  }
  const cpu = cpuKnown ? Object.fromEntries(Object.entries(cpuTotals).map(([k, v]) => [k, v / runs])) : undefined;
  const sizes = ['index.js', 'post.js', 'cli.js'].map((entry) => {
    const files = staticClosure(join(DIST, entry));
    const contents = files.map((f) => readFileSync(f));
    return { file: `dist/${entry}`, bytes: contents[0]!.length, startupBytes: sum(contents.map((c) => c.length)), startupGzip: sum(contents.map((c) => gzipSync(c).length)) };
  });
  const all = (readdirSync(DIST, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
  const totalBytes = sum(all.map((f) => statSync(join(DIST, f)).size));
  rmSync(dir, { recursive: true, force: true });
  return { node: process.version, runs, times, cpu, sizes, totalBytes, files: all.length, loadBefore, loadAfter: load() };
}

export function coldStartSummary(c: ColdStart) {
  const medians = Object.fromEntries(Object.entries(c.times).map(([k, v]) => [k, median(v)]));
  const bare = medians['node -e ""']!;
  return { medians, ratios: Object.fromEntries(Object.entries(medians).map(([k, v]) => [k, v / bare])) };
}

/** Package of a bundled module path: `node_modules/@scope/name/...` → `@scope/name`; our sources → `src/<layer>`. */
function packageOf(path: string): string {
  const parts = path.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0) return parts[at + 1]!.startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1]!;
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0]!;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface ModuleStart {
  line: number;
  pkg: string;
}

/** Node functions worth naming on their own: compiling the bundle's ES modules, loading Node's own built-ins. */
const NAMED_INTERNALS = new Set(['compileSourceTextModule', 'compileForInternalLoader']);

/** Self time (ms) per package from a V8 .cpuprofile of the unminified build. */
function attribute(profileFile: string, modulesByUrl: Map<string, ModuleStart[]>): Map<string, number> {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  const where = (node: ProfileNode): string => {
    const { url, lineNumber, functionName } = node.callFrame;
    const starts = modulesByUrl.get(url);
    if (starts) {
      let pkg = 'esbuild runtime (CommonJS wrappers)';
      for (const m of starts) if (m.line <= lineNumber) pkg = m.pkg;
      return pkg;
    }
    if (functionName.startsWith('(')) return functionName; // (program), (garbage collector), (idle)
    if (NAMED_INTERNALS.has(functionName)) return `node: ${functionName}`;
    return url.startsWith('node:') || url === '' ? 'node: other internals' : url;
  };
  profile.samples.forEach((id, i) => {
    const key = where(byId.get(id)!);
    out.set(key, (out.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

export interface Attribution {
  /** Median self time per package over the profiled runs, ms, largest first. */
  perPackage: Array<[string, number]>;
  /** Median total sampled time of a run, ms. */
  totalMs: number;
  /** Bytes per package in the modules `node dist/index.js` loads at start (static imports only), largest first. */
  startupBytes: Array<[string, number]>;
}

/** The build of scripts/bundle.ts (same entries, code splitting), unminified and with a metafile. */
async function unminifiedBuild(dir: string) {
  return build({ ...bundleOptions, outdir: dir, minify: false, metafile: true, logLevel: 'error', absWorkingDir: ROOT });
}

export async function attributeColdStart(runs: number): Promise<Attribution> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-coldstart-'));
  try {
    const { metafile } = await unminifiedBuild(dir);
    const outputs = Object.fromEntries(Object.entries(metafile.outputs).map(([path, o]) => [resolve(ROOT, path), o]));
    // The start-up closure of index.js: the entry and every chunk reached through static imports.
    const closure = new Set<string>();
    const visit = (file: string) => {
      if (closure.has(file)) return;
      closure.add(file);
      for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(resolve(ROOT, i.path));
    };
    visit(join(dir, 'index.js'));
    const bytes = new Map<string, number>();
    const modulesByUrl = new Map<string, ModuleStart[]>();
    for (const file of closure) {
      for (const [path, input] of Object.entries(outputs[file]!.inputs)) bytes.set(packageOf(path), (bytes.get(packageOf(path)) ?? 0) + input.bytesInOutput);
    }
    for (const file of Object.keys(outputs).filter((f) => f.endsWith('.js'))) {
      const lines = readFileSync(file, 'utf8').split('\n');
      modulesByUrl.set(`file://${file}`, lines.flatMap((text, line) => (/^\/\/ (node_modules|src)\//.test(text) ? [{ line, pkg: packageOf(text.slice(3).trim()) }] : [])));
    }
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const perRun: Array<Map<string, number>> = [];
    for (let i = 0; i < runs; i++) {
      const profDir = join(dir, `prof-${i}`);
      await run(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', profDir, join(dir, 'index.js')], { env: CLEAN_ENV, cwd: dir }).catch(() => undefined);
      const [file] = readdirSync(profDir);
      perRun.push(attribute(join(profDir, file!), modulesByUrl));
    }
    const keys = new Set(perRun.flatMap((m) => [...m.keys()]));
    const perPackage = [...keys].map((k): [string, number] => [k, median(perRun.map((m) => m.get(k) ?? 0))]).sort((a, b) => b[1] - a[1]);
    const totalMs = median(perRun.map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
    return { perPackage, totalMs, startupBytes: [...bytes].sort((a, b) => b[1] - a[1]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  statSync(join(DIST, 'index.js')); // a clear ENOENT when `npm run bundle` has not run
  const c = await measureColdStart(Number(process.argv[2] ?? 30));
  const s = coldStartSummary(c);
  console.log(`Node ${c.node}, ${c.runs} runs each, interleaved; load ${c.loadBefore} -> ${c.loadAfter}`);
  const bareCpu = c.cpu?.['node -e ""'];
  for (const [name, m] of Object.entries(s.medians)) {
    const cpu = c.cpu?.[name];
    console.log(`${name.padEnd(52)} wall median ${m.toFixed(1).padStart(6)} ms, ratio ${s.ratios[name]!.toFixed(2)}${cpu === undefined || !bareCpu ? '' : `; CPU mean ${cpu.toFixed(1).padStart(6)} ms, ratio ${(cpu / bareCpu).toFixed(2)}`}`);
  }
  const versus = (ours: string, theirs: string) => {
    if (s.medians[ours] === undefined || s.medians[theirs] === undefined) return;
    const cpu = c.cpu ? `, CPU ${(c.cpu[ours]! / c.cpu[theirs]!).toFixed(2)}` : '';
    console.log(`${ours} ÷ ${theirs}: wall ${(s.medians[ours]! / s.medians[theirs]!).toFixed(2)}${cpu}`);
  };
  for (const ours of ['node dist/index.js', BEFORE_INDEX]) for (const theirs of [K8S_DEPLOY, K8S_DEPLOY_REAL]) versus(ours, theirs);
  versus('node dist/index.js', BEFORE_INDEX);
  versus('node dist/post.js', BEFORE_POST);
  for (const size of c.sizes) console.log(`${size.file}: ${(size.bytes / 1024).toFixed(0)} KiB; loaded at start with its static chunks ${(size.startupBytes / 1024).toFixed(0)} KiB (${(size.startupGzip / 1024).toFixed(0)} KiB gzip)`);
  console.log(`dist/ in all: ${c.files} files, ${(c.totalBytes / 1024).toFixed(0)} KiB`);
  const a = await attributeColdStart(5);
  console.log(`\nself time in an unminified build of the same entries, median of 5 CPU profiles (total ${a.totalMs.toFixed(0)} ms):`);
  for (const [pkg, t] of a.perPackage.slice(0, 14)) console.log(`  ${pkg.padEnd(40)} ${t.toFixed(1)} ms`);
  console.log('bytes loaded at start (index.js and its static imports) per package:');
  for (const [pkg, b] of a.startupBytes.slice(0, 10)) console.log(`  ${pkg.padEnd(40)} ${(b / 1024).toFixed(0)} KiB`);
}
