// Logger for the CLI: progress to stderr, so stdout stays clean for `status --json`. Every message is
// made log-safe (the CLI may run inside a GitHub Actions step).
import type { Logger } from '../core/ports.ts';
import { safeLogger } from './log-safe.ts';

export function createConsoleLogger(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const stamp = () => new Date().toISOString().slice(11, 19);
  return safeLogger({
    info: (m) => write(`${stamp()} ${m}`),
    warning: (m) => write(`${stamp()} warning: ${m}`),
    error: (m) => write(`${stamp()} error: ${m}`),
  });
}
