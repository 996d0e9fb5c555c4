// Logger for the CLI: progress to stderr, so stdout stays clean for `status --json`.
import type { Logger } from '../engine/ports.ts';

export function createConsoleLogger(write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const stamp = () => new Date().toISOString().slice(11, 19);
  return {
    info: (m) => write(`${stamp()} ${m}`),
    warning: (m) => write(`${stamp()} warning: ${m}`),
    error: (m) => write(`${stamp()} error: ${m}`),
  };
}
