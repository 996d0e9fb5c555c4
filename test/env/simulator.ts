// The mesh simulator (test/sim, written separately) started as its own process: it watches the
// API server and serves /healthz and /metrics.

import { join } from 'node:path';
import { freePort } from './ports.ts';
import { assertAlive, startDetached, type ProcessRecord } from './process.ts';
import { waitFor } from './wait.ts';

export const defaultSimulatorEntry = join(import.meta.dirname, '..', 'sim', 'main.ts');

export interface SimulatorPaths {
  logFile: string;
  pidFile: string;
}

export interface SimulatorInputs {
  kubeconfig: string;
  /** The simulator's world file, if not its default world. */
  world?: string;
  entry: string;
}

export interface RunningSimulator {
  record: ProcessRecord;
  url: string;
}

export async function startSimulator(
  inputs: SimulatorInputs,
  paths: SimulatorPaths,
  timeoutMs: number,
): Promise<RunningSimulator> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [inputs.entry, '--kubeconfig', inputs.kubeconfig, '--port', String(port)];
  if (inputs.world !== undefined) args.push('--world', inputs.world);
  const started = startDetached({
    command: process.execPath,
    args,
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    marker: inputs.entry,
    facts: simulatorFacts(inputs, url),
  });
  await waitFor(
    async () => {
      assertAlive('the mesh simulator', started);
      return simulatorHealthy(url);
    },
    { timeoutMs, intervalMs: 200, what: `the mesh simulator at ${url} to be healthy` },
  );
  return { record: started.record, url };
}

/** What a running simulator must match to be reused. */
export function simulatorFacts(inputs: SimulatorInputs, url: string): Record<string, string> {
  return { url, kubeconfig: inputs.kubeconfig, world: inputs.world ?? '', entry: inputs.entry };
}

export async function simulatorHealthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}
