// The local mesh for tests and the demo: the Kubernetes API server with Istio's CRDs, the mesh
// simulator and Prometheus, all on 127.0.0.1. `up` is idempotent: components that already run
// (pid file + health check) and still fit are reused; the rest start fresh.
//
//   node test/env/mesh.ts up [--world <file>]   start or reuse; writes .mesh/env.json
//   node test/env/mesh.ts down   stop everything started by `up`
//   node test/env/mesh.ts logs   print every component's log (for CI failures)
//   node test/env/mesh.ts build  build the API server binary into the cache (if not there yet)

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { apiserverReady, apiserverVersion, ensureApiserverBinary, startApiserver } from './apiserver.ts';
import { applyIstioCrds, ISTIO_API_VERSION, loadIstioCrds, missingEstablished } from './istio-crds.ts';
import { LEASE_CRD } from './lease-crd.ts';
import { withLock } from './lock.ts';
import { isAlive, readRecord, stopRecorded, tail, type ProcessRecord } from './process.ts';
import { prometheusReady, startPrometheus } from './prometheus.ts';
import {
  defaultSimulatorEntry,
  simulatorFacts,
  simulatorHealthy,
  startSimulator,
  type SimulatorInputs,
} from './simulator.ts';

export const COMPONENTS = ['apiserver', 'simulator', 'prometheus'] as const;
export type Component = (typeof COMPONENTS)[number];

/** What tests, the demo and benches need to reach the mesh; written to `<stateDir>/env.json`. */
export interface MeshEnv {
  kubeconfig: string;
  apiserverUrl: string;
  prometheusUrl: string;
  simulatorUrl: string;
  logs: Record<Component, string>;
  /** The API server's audit log of writes to Istio objects (see apiserver.ts). */
  istioWrites: string;
  versions: { apiextensionsApiserver: string; istioApi: string };
}

export interface StartMeshOptions {
  /** Where pid files, logs, data and env.json live. Default: `.mesh/` in the repository. */
  stateDir?: string;
  /** World file for the simulator. */
  world?: string;
  /** The simulator's entry script. Default: test/sim/main.ts. */
  simulatorEntry?: string;
}

export interface StartedMesh {
  env: MeshEnv;
  /** Components this call started (the others were already running and were reused). */
  started: Component[];
}

/** A component that did not start; the message ends with the tail of its log. */
export class MeshStartError extends Error {
  override name = 'MeshStartError';
  readonly component: Component;
  constructor(component: Component, cause: unknown, logFile: string) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${component} failed to start: ${reason}\n--- last lines of ${logFile} ---\n${tail(logFile)}`);
    this.component = component;
  }
}

const START_TIMEOUT_MS: Record<Component | 'crds', number> = {
  apiserver: 120_000,
  crds: 120_000,
  simulator: 60_000,
  prometheus: 60_000,
};

export const defaultStateDir = resolve(import.meta.dirname, '..', '..', '.mesh');

function layout(stateDir: string) {
  const file = (kind: string, component: Component, ext: string) => join(stateDir, kind, `${component}${ext}`);
  return {
    envFile: join(stateDir, 'env.json'),
    pidFile: (c: Component) => file('pids', c, '.json'),
    logFile: (c: Component) => file('logs', c, '.log'),
    dataDir: (c: Component) => join(stateDir, 'data', c),
    istioWritesLog: join(stateDir, 'logs', 'istio-writes.audit.jsonl'),
  };
}

/** Long enough for another process's cold start, Go build included, to finish first. */
const LOCK_TIMEOUT_MS = 20 * 60_000;

export async function startMesh(options: StartMeshOptions = {}): Promise<StartedMesh> {
  const stateDir = resolve(options.stateDir ?? defaultStateDir);
  mkdirSync(stateDir, { recursive: true });
  return withLock(join(stateDir, 'lock'), LOCK_TIMEOUT_MS, () => startMeshLocked(stateDir, options));
}

async function startMeshLocked(stateDir: string, options: StartMeshOptions): Promise<StartedMesh> {
  const paths = layout(stateDir);
  for (const dir of ['pids', 'logs', 'data']) mkdirSync(join(stateDir, dir), { recursive: true });
  const started: Component[] = [];
  const note = (component: Component) => (outcome: Outcome) => {
    if (outcome.started) started.push(component);
    return outcome.record;
  };

  const apiserver = note('apiserver')(await ensureApiserver(paths));
  const kubeconfig = fact(apiserver, 'kubeconfig');
  await startStep('apiserver', paths, () => ensureIstioCrds(kubeconfig));
  const simulatorInputs = {
    kubeconfig,
    entry: resolve(options.simulatorEntry ?? defaultSimulatorEntry),
    ...(options.world === undefined ? {} : { world: resolve(options.world) }),
  };
  const simulator = note('simulator')(await ensureSimulator(paths, simulatorInputs, started.includes('apiserver')));
  const simulatorUrl = fact(simulator, 'url');
  const prometheus = note('prometheus')(await ensurePrometheus(paths, simulatorUrl));

  const env: MeshEnv = {
    kubeconfig,
    apiserverUrl: fact(apiserver, 'url'),
    prometheusUrl: fact(prometheus, 'url'),
    simulatorUrl,
    logs: { apiserver: apiserver.logFile, simulator: simulator.logFile, prometheus: prometheus.logFile },
    istioWrites: paths.istioWritesLog,
    versions: { apiextensionsApiserver: apiserverVersion(), istioApi: ISTIO_API_VERSION },
  };
  writeFileSync(paths.envFile, `${JSON.stringify(env, null, 2)}\n`);
  return { env, started };
}

type Layout = ReturnType<typeof layout>;

interface Outcome {
  record: ProcessRecord;
  started: boolean;
}

/** The running API server if it is the current binary and ready; otherwise a fresh one. */
async function ensureApiserver(paths: Layout): Promise<Outcome> {
  const binary = await ensureApiserverBinary();
  const running = await reusable(paths.pidFile('apiserver'), async (r) =>
    r.marker === binary && (await apiserverReady(fact(r, 'kubeconfig'))),
  );
  if (running !== undefined) return { record: running, started: false };
  const fresh = await startStep('apiserver', paths, () =>
    startApiserver(binary, { ...componentPaths(paths, 'apiserver'), istioWritesLog: paths.istioWritesLog }, START_TIMEOUT_MS.apiserver),
  );
  return { record: fresh.record, started: true };
}

async function ensureIstioCrds(kubeconfigPath: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const crds = [...(await loadIstioCrds()), LEASE_CRD];
  if ((await missingEstablished(kc, crds)).length > 0) await applyIstioCrds(kc, crds, START_TIMEOUT_MS.crds);
}

/** The simulator watches the API server: it is restarted whenever the API server or its inputs changed. */
async function ensureSimulator(paths: Layout, inputs: SimulatorInputs, apiserverRestarted: boolean): Promise<Outcome> {
  const running = await reusable(paths.pidFile('simulator'), async (r) =>
    !apiserverRestarted &&
    sameFacts(r.facts, simulatorFacts(inputs, fact(r, 'url'))) &&
    (await simulatorHealthy(fact(r, 'url'))),
  );
  if (running !== undefined) return { record: running, started: false };
  if (!existsSync(inputs.entry)) {
    throw new MeshStartError('simulator', new Error(`${inputs.entry} does not exist`), paths.logFile('simulator'));
  }
  const fresh = await startStep('simulator', paths, () =>
    startSimulator(inputs, componentPaths(paths, 'simulator'), START_TIMEOUT_MS.simulator),
  );
  return { record: fresh.record, started: true };
}

/** Prometheus scrapes the simulator's address, so it follows the simulator. */
async function ensurePrometheus(paths: Layout, simulatorUrl: string): Promise<Outcome> {
  const running = await reusable(paths.pidFile('prometheus'), async (r) =>
    r.facts['simulatorUrl'] === simulatorUrl && (await prometheusReady(fact(r, 'url'))),
  );
  if (running !== undefined) return { record: running, started: false };
  const fresh = await startStep('prometheus', paths, () =>
    startPrometheus(simulatorUrl, componentPaths(paths, 'prometheus'), START_TIMEOUT_MS.prometheus),
  );
  return { record: fresh.record, started: true };
}

function componentPaths(paths: Layout, component: Component) {
  return { dataDir: paths.dataDir(component), logFile: paths.logFile(component), pidFile: paths.pidFile(component) };
}

/** Stops the given components (default: all), last started first, and removes their data. */
export async function stopMesh(options: { stateDir?: string; only?: readonly Component[] } = {}): Promise<void> {
  const stateDir = resolve(options.stateDir ?? defaultStateDir);
  if (!existsSync(stateDir)) return;
  const paths = layout(stateDir);
  const only = options.only ?? COMPONENTS;
  await withLock(join(stateDir, 'lock'), LOCK_TIMEOUT_MS, async () => {
    for (const component of [...COMPONENTS].reverse()) {
      if (!only.includes(component)) continue;
      await stopRecorded(paths.pidFile(component));
      rmSync(paths.dataDir(component), { recursive: true, force: true });
    }
    if (COMPONENTS.every((c) => !existsSync(paths.pidFile(c)))) rmSync(paths.envFile, { force: true });
  });
}

/** The env written by the last successful `startMesh`, or undefined when the mesh is not up. */
export function readMeshEnv(stateDir: string = defaultStateDir): MeshEnv | undefined {
  const envFile = layout(resolve(stateDir)).envFile;
  if (!existsSync(envFile)) return undefined;
  return JSON.parse(readFileSync(envFile, 'utf8')) as MeshEnv;
}

/** Every component's log, for printing when something failed. */
export function meshLogs(stateDir: string = defaultStateDir): string {
  const paths = layout(resolve(stateDir));
  return COMPONENTS.map((c) => `=== ${c}: ${paths.logFile(c)} ===\n${tail(paths.logFile(c), 200)}`).join('\n');
}

/** The recorded process if it is alive and `fits`; otherwise stops any leftover and returns undefined. */
async function reusable(pidFile: string, fits: (record: ProcessRecord) => Promise<boolean>): Promise<ProcessRecord | undefined> {
  const record = readRecord(pidFile);
  if (record !== undefined && isAlive(record) && (await fits(record).catch(() => false))) return record;
  await stopRecorded(pidFile);
  return undefined;
}

/** Runs a start step; on failure stops the component's half-started process and reports its log. */
async function startStep<T>(component: Component, paths: Layout, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await stopRecorded(paths.pidFile(component));
    throw new MeshStartError(component, error, paths.logFile(component));
  }
}

function fact(record: ProcessRecord, key: string): string {
  const value = record.facts[key];
  if (value === undefined) throw new Error(`pid file of pid ${record.pid} lacks "${key}"; run mesh:down`);
  return value;
}

function sameFacts(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.keys(b).every((key) => a[key] === b[key]);
}

async function main([command, ...rest]: string[]): Promise<number> {
  switch (command) {
    case 'up': {
      const world = rest[0] === '--world' ? rest[1] : undefined;
      if (rest.length > 0 && world === undefined) return usage();
      const { env, started } = await startMesh(world === undefined ? {} : { world });
      const reused = COMPONENTS.filter((c) => !started.includes(c));
      console.log(`mesh up (started: ${started.join(', ') || 'none'}; reused: ${reused.join(', ') || 'none'})`);
      console.log(JSON.stringify(env, null, 2));
      return 0;
    }
    case 'down':
      await stopMesh();
      console.log('mesh down');
      return 0;
    case 'logs':
      console.log(meshLogs());
      return 0;
    case 'build':
      console.log(await ensureApiserverBinary());
      return 0;
    default:
      return usage();
  }
}

function usage(): number {
  console.error('usage: node test/env/mesh.ts up [--world <file>] | down | logs | build');
  return 2;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
