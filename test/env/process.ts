// Detached processes that outlive the command that started them, remembered in pid files so that
// a later `mesh:up` can reuse them and `mesh:down` can stop exactly them.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { FatalWaitError, waitFor } from './wait.ts';

/** What a pid file records: enough to recognise the process again after its pid is reused. */
export interface ProcessRecord {
  pid: number;
  /** A string that the process's command line contains (its binary or script). */
  marker: string;
  logFile: string;
  /** Component-specific facts (ports, urls, inputs) used to decide whether it can be reused. */
  facts: Record<string, string>;
}

export interface StartOptions {
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  marker: string;
  facts: Record<string, string>;
  cwd?: string;
}

/** A process this one spawned: `exit` is set once it has ended (known from the child handle). */
export interface StartedProcess {
  record: ProcessRecord;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

export function startDetached(options: StartOptions): StartedProcess {
  const log = openSync(options.logFile, 'w');
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
    const record: ProcessRecord = {
      pid: child.pid,
      marker: options.marker,
      logFile: options.logFile,
      facts: options.facts,
    };
    // Registered before this tick ends, so the exit cannot be missed.
    const started: StartedProcess = { record, exit: undefined };
    child.on('exit', (code, signal) => {
      started.exit = { code, signal };
    });
    child.unref();
    writeFileSync(options.pidFile, `${JSON.stringify(record, null, 2)}\n`);
    return started;
  } finally {
    closeSync(log);
  }
}

export function readRecord(pidFile: string): ProcessRecord | undefined {
  if (!existsSync(pidFile)) return undefined;
  try {
    return JSON.parse(readFileSync(pidFile, 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

/** True when the recorded process still runs (not a zombie) and is still the one we started. */
export function isAlive(record: ProcessRecord): boolean {
  try {
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const commandLine = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    return commandLine.includes(record.marker);
  } catch {
    return false;
  }
}

/** Stops the recorded process (SIGTERM, then SIGKILL after the grace period) and removes its pid file. */
export async function stopRecorded(pidFile: string, graceMs = 10_000): Promise<void> {
  const record = readRecord(pidFile);
  if (record !== undefined && isAlive(record)) {
    signal(record.pid, 'SIGTERM');
    try {
      await waitFor(() => !isAlive(record), { timeoutMs: graceMs, what: `pid ${record.pid} to exit` });
    } catch {
      signal(record.pid, 'SIGKILL');
      await waitFor(() => !isAlive(record), { timeoutMs: 5_000, what: `pid ${record.pid} to exit after SIGKILL` });
    }
  }
  rmSync(pidFile, { force: true });
}

/**
 * Throws a FatalWaitError when a process we just spawned has ended, for use inside waitFor. It asks
 * the child handle, not /proc: right after spawn, /proc may not show the new command line yet.
 */
export function assertAlive(name: string, started: StartedProcess): void {
  const exit = started.exit;
  if (exit !== undefined) {
    throw new FatalWaitError(`${name} exited during start-up (${exit.signal ?? `exit code ${exit.code}`})`);
  }
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
