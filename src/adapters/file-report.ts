// The report as a file (the action's `report` output, the CLI, the demo). Written to a temporary
// file beside the target and renamed over it, so a reader never sees half a report.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ReportPort } from '../core/ports.ts';
import { CanaryError, describeError } from '../errors.ts';

export function createFileReport(path: string): ReportPort {
  return {
    async publish(markdown) {
      const dir = dirname(path);
      const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(temp, markdown, 'utf8');
        await rename(temp, path);
      } catch (e) {
        await rm(temp, { force: true });
        throw new CanaryError(`Could not write the report to ${path}: ${describeError(e)}`, { cause: e });
      }
    },
  };
}
