import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('../../sim/main.ts', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 30_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
    });
  });
}

describe('simulator entry point', () => {
  it('a bad world file stops it with one line naming file, line and field (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-main-'));
    const file = join(dir, 'world.yaml');
    writeFileSync(file, 'services:\n  - namespace: ns\n    name: a\n    versions:\n      - name: v1\n        readyReplicas: -1\n');
    const { code, stderr } = await run(['--world', file, '--port', '0']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`mesh simulator: ${file}:6 services[0].versions[0].readyReplicas: expected a number from 0 to 10000, got -1`);
  });

  it('a bad flag value is named (exit 2)', async () => {
    const { code, stderr } = await run(['--port', 'abc']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('mesh simulator: --port: expected a whole number from 0 to 65535, got "abc"');
  });
});
