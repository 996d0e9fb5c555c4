import { mkdtemp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileReport } from '../../../src/adapters/file-report.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file report', () => {
  it('writes the report, creating the directory, and replaces it on the next publish', async () => {
    const path = join(dir, 'reports', 'catalog.md');
    const port = createFileReport(path);
    await port.publish('# first');
    await port.publish('# second');
    expect(await readFile(path, 'utf8')).toBe('# second');
    expect(await readdir(join(dir, 'reports'))).toEqual(['catalog.md']);
  });

  it('fails with a message naming the path and leaves no temporary file behind', async () => {
    const path = join(dir, 'taken');
    await mkdir(path);
    await expect(createFileReport(path).publish('# report')).rejects.toThrow(`Could not write the report to ${path}:`);
    expect(await readdir(dir)).toEqual(['taken']);
  });
});
