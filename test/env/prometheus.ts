// Prometheus from the Debian package, run as our own process with its own config and storage
// (never the packaged service), scraping the mesh simulator every second.

import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { freePort } from './ports.ts';
import { assertAlive, startDetached, type ProcessRecord } from './process.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

export const SIMULATOR_JOB = 'mesh-simulator';

/** PROMETHEUS_BIN overrides the binary found on PATH. */
export function prometheusBinary(): string {
  return process.env['PROMETHEUS_BIN'] ?? 'prometheus';
}

export async function prometheusVersion(): Promise<string> {
  const { stdout, stderr } = await run(prometheusBinary(), ['--version']);
  return /version (\S+)/.exec(stdout + stderr)?.[1] ?? 'unknown';
}

/** The scrape configuration: the simulator's /metrics every second. */
export function prometheusConfig(simulatorHostPort: string): string {
  return stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    scrape_configs: [{ job_name: SIMULATOR_JOB, metrics_path: '/metrics', static_configs: [{ targets: [simulatorHostPort] }] }],
  });
}

export interface PrometheusPaths {
  dataDir: string;
  logFile: string;
  pidFile: string;
}

export interface RunningPrometheus {
  record: ProcessRecord;
  url: string;
}

/**
 * Starts Prometheus with fresh storage and waits until it is ready and has scraped the simulator
 * once, so that a caller's first query already sees the target.
 */
export async function startPrometheus(
  simulatorUrl: string,
  paths: PrometheusPaths,
  timeoutMs: number,
): Promise<RunningPrometheus> {
  rmSync(paths.dataDir, { recursive: true, force: true });
  mkdirSync(join(paths.dataDir, 'tsdb'), { recursive: true });
  const configFile = join(paths.dataDir, 'prometheus.yml');
  const target = new URL(simulatorUrl).host;
  writeFileSync(configFile, prometheusConfig(target));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const binary = prometheusBinary();
  const started = startDetached({
    command: binary,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(paths.dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
    ],
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    marker: configFile,
    facts: { url, simulatorUrl },
  });
  await waitFor(
    async () => {
      assertAlive('Prometheus', started);
      return (await prometheusReady(url)) && (await simulatorScraped(url));
    },
    { timeoutMs, intervalMs: 200, what: `Prometheus at ${url} to be ready and to scrape ${target}` },
  );
  return { record: started.record, url };
}

export async function prometheusReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

async function simulatorScraped(url: string): Promise<boolean> {
  const query = new URLSearchParams({ query: `up{job="${SIMULATOR_JOB}"}` });
  const response = await fetch(`${url}/api/v1/query?${query}`, { signal: AbortSignal.timeout(2_000) });
  const body = (await response.json()) as { data?: { result?: Array<{ value?: [number, string] }> } };
  return body.data?.result?.[0]?.value?.[1] === '1';
}
