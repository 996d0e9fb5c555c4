// Istio's own code as the tests' oracle: `istioctl` (validate, analyze) and the pilot route oracle
// (test/oracle: pilot's route generation for a sidecar, and Envoy's route matching over it), both
// built from the `istio.io/istio` Go module pinned in test/oracle/go.mod into the binary cache.
//
//   node test/env/istio-tools.ts build   build both into the cache (if not there yet), print paths

import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { MODULE_REQUIREMENTS, ensureGoBinary, pinnedVersion, type GoBinary } from './go-build.ts';

const run = promisify(execFile);

export const oracleModuleDir = join(import.meta.dirname, '..', 'oracle');

/** The pinned istio.io/istio pseudo-version (Istio's release tags are not semver). */
export function istioVersion(): string {
  return pinnedVersion(oracleModuleDir, 'istio.io/istio');
}

function istioctlBuild(): GoBinary {
  // istioctl is Istio's code alone: only go.mod and go.sum decide which build it is.
  return { moduleDir: oracleModuleDir, target: 'istio.io/istio/istioctl/cmd/istioctl', name: 'istioctl', version: istioVersion(), sources: MODULE_REQUIREMENTS };
}

function oracleBuild(): GoBinary {
  return { moduleDir: oracleModuleDir, target: '.', name: 'istio-route-oracle', version: istioVersion() };
}

export function ensureIstioctl(): Promise<string> {
  return ensureGoBinary(istioctlBuild());
}

export function ensureRouteOracle(): Promise<string> {
  return ensureGoBinary(oracleBuild());
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function runTool(binary: string, args: string[]): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(binary, args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: '/dev/null' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `istioctl validate` of manifest files: what istiod's webhook would refuse (exit 0 when all pass). */
export function istioctlValidate(istioctl: string, files: string[]): Promise<CommandResult> {
  return runTool(istioctl, ['validate', ...files.flatMap((f) => ['-f', f])]);
}

/** One analyzer message as `istioctl analyze -o json` prints it. */
export interface AnalyzerFinding {
  code: string;
  level: string;
  message: string;
  origin: string;
}

/**
 * `istioctl analyze --use-kube=false` over manifest files (all namespaces), as findings. Exit codes
 * 0 (nothing) and 79/80 (warnings/errors found) are answers; any other is a failure to analyze.
 */
export async function istioctlAnalyze(istioctl: string, files: string[]): Promise<AnalyzerFinding[]> {
  const result = await runTool(istioctl, ['analyze', '--use-kube=false', '--all-namespaces', '-o', 'json', '--failure-threshold', 'Error', ...files]);
  // A file it cannot parse is skipped with a message and exit 0: that is no clean result.
  if ((result.code !== 0 && result.code !== 79 && result.code !== 80) || /could not be parsed|Error\(s\) adding files/.test(result.stderr)) {
    throw new Error(`istioctl analyze failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  const text = result.stdout.trim();
  if (text === '' || text === '[]') return [];
  const parsed = JSON.parse(text) as Array<{ code?: string; level?: string; message?: string; origin?: string }>;
  return parsed.map((m) => ({ code: m.code ?? '', level: m.level ?? '', message: m.message ?? '', origin: m.origin ?? '' }));
}

/**
 * Findings of `after` of a kind `before` did not have: compared by code, origin and message with
 * rule and match numbers blanked (a rule inserted ahead renumbers the rules after it). Compared as
 * sets: the analyzer reports one problem once or once per reference depending on the rest of the
 * config (a subset missing from an absent DestinationRule vs from an existing one).
 */
export function newFindings(before: AnalyzerFinding[], after: AnalyzerFinding[]): AnalyzerFinding[] {
  const key = (f: AnalyzerFinding) => `${f.code}\0${f.origin}\0${f.message.replace(/#\d+/g, '#N')}`;
  const known = new Set(before.map(key));
  const reported = new Set<string>();
  return after.filter((f) => {
    const k = key(f);
    if (known.has(k) || reported.has(k)) return false;
    reported.add(k);
    return true;
  });
}

/**
 * The route oracle, one long-running process: each case is one JSON line in and one JSON line out
 * (test/oracle/case.go describes both), so many cases pay for one process start.
 */
export class RouteOracle {
  private readonly pending: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited: Error | undefined;
  private readonly child: ChildProcessWithoutNullStreams;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    createInterface({ input: child.stdout }).on('line', (line) => this.pending.shift()?.resolve(line));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-8192);
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`the route oracle exited (${signal ?? code}): ${this.stderr.trim()}`);
      for (const p of this.pending.splice(0)) p.reject(this.exited);
    });
  }

  static async start(): Promise<RouteOracle> {
    const binary = await ensureRouteOracle();
    return new RouteOracle(spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  ask<T = unknown>(question: unknown): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        resolve: (line) => {
          try {
            resolve(JSON.parse(line) as T);
          } catch {
            reject(new Error(`the route oracle answered a line that is not JSON: ${line.slice(0, 200)}`));
          }
        },
        reject,
      });
      this.child.stdin.write(`${JSON.stringify(question)}\n`);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    await exited;
  }
}

if (import.meta.main) {
  const command = process.argv[2];
  if (command === 'build') {
    const started = Date.now();
    console.log(await ensureIstioctl());
    console.log(await ensureRouteOracle());
    console.log(`istio.io/istio ${istioVersion()}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    console.error('usage: node test/env/istio-tools.ts build');
    process.exit(2);
  }
}
