// A lock file so that two processes (two test runs, or `mesh:up` and a test run) never start or
// stop the same mesh at the same time: without it, one would take the other's half-started
// component for a dead leftover and stop it.

import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { waitFor } from './wait.ts';

/** Runs `work` while holding `lockFile`; waits up to `timeoutMs` for another holder to finish. */
export async function withLock<T>(lockFile: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  await waitFor(() => tryAcquire(lockFile), { timeoutMs, intervalMs: 250, what: `the lock ${lockFile}` });
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function tryAcquire(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (!holderAlive(lockFile)) rmSync(lockFile, { force: true }); // left by a process that died
    return false;
  }
}

function holderAlive(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, 'utf8'));
  } catch {
    return true; // removed or being written right now: look again on the next attempt
  }
  if (!Number.isInteger(pid) || pid <= 0) return true; // written but not yet filled in
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
