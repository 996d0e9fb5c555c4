// No text from a spec, a live object or a server can start a GitHub workflow command in the log,
// through any log path: the action's logger over @actions/core, the CLI's console logger, the plan
// text and the errors the CLI prints. The runner's rules (actions/runner ActionCommand): a line ends
// at \n or \r; after .NET's TrimStart, a line starting with `::` is a command; so is one holding `##[`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { createConsoleLogger } from '../../../src/adapters/console-log.ts';
import { jsonLogSafe, logSafe, safeLogger } from '../../../src/adapters/log-safe.ts';
import { runPlanCommand } from '../../../src/cli/plan-command.ts';

/** What the runner would run as a command: `::` after leading white space, or `##[` anywhere. */
function commandLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/).filter((line) => /^[\s\u0085]*::/.test(line) || line.includes('##['));
}

/** Arbitrary text, with the pieces an attacker would use mixed in. */
const hostile = fc
  .array(fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('\n', '\r', '\r\n', '\u0085', '\u2028', ' ', '\t', '\u00a0', '::', '##[', ':', '#', '[',
      '::set-output name=status::promoted', '::warning::X', '##[set-output name=status;]promoted', '::stop-commands::t', '::add-mask::x'),
  ), { maxLength: 12 })
  .map((parts) => parts.join(''));

describe('logSafe', () => {
  it('neutralises the issue\'s injection and keeps the text readable', () => {
    expect(logSafe('internal\n::warning::X\n::set-output name=status::promoted')).toBe('internal\n\\::warning::X\n\\::set-output name=status::promoted');
    expect(logSafe('a\r::error::b ##[set-output name=x;]y')).toBe('a\\r::error::b ##\\[set-output name=x;]y');
    expect(logSafe('bell\u0007 nel\u0085::x')).toBe('bell\\u0007 nel\\u0085::x');
  });

  it('property: no line of the result is a workflow command', () => {
    fc.assert(fc.property(hostile, (text) => {
      expect(commandLines(logSafe(text))).toEqual([]);
    }), { numRuns: 2000 });
  });

  it('property: JSON stays the same JSON and never holds a command', () => {
    fc.assert(fc.property(hostile, (text) => {
      const json = jsonLogSafe(JSON.stringify({ reason: text, list: [text] }, null, 2));
      expect(JSON.parse(json)).toEqual({ reason: text, list: [text] });
      expect(commandLines(json)).toEqual([]);
    }), { numRuns: 1000 });
  });
});

describe('every log path', () => {
  it('the action\'s logger over @actions/core: info never starts a command; warning and error are one command each', () => {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      const log = safeLogger({ info: core.info, warning: core.warning, error: core.error });
      fc.assert(fc.property(hostile, (text) => {
        out = '';
        log.info(text);
        expect(commandLines(out)).toEqual([]);
        for (const [level, write] of [['warning', log.warning], ['error', log.error]] as const) {
          out = '';
          write(text);
          const lines = out.split(/\r\n|\r|\n/).filter((l) => l !== '');
          expect(lines).toHaveLength(1);
          expect(lines[0]!.startsWith(`::${level}::`)).toBe(true);
        }
      }), { numRuns: 500 });
    } finally {
      spy.mockRestore();
    }
  });

  it('the CLI\'s console logger', () => {
    fc.assert(fc.property(hostile, (text) => {
      let out = '';
      const log = createConsoleLogger((line) => (out += `${line}\n`));
      log.info(text);
      log.warning(text);
      log.error(text);
      expect(commandLines(out)).toEqual([]);
    }), { numRuns: 1000 });
  });

  describe('plan output and its errors', () => {
    const seed = (f: string) => fileURLToPath(new URL(`../../fixtures/seed/${f}`, import.meta.url));
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'log-safe-'));
      await writeFile(join(dir, 'canary.yaml'), 'apiVersion: istio-canary/v1\nkind: Canary\nmetadata: {name: catalog}\nspec:\n  namespace: istioinaction\n  virtualService: catalog\n  host: catalog\n  stable: {labels: {version: v1}}\n  canary: {labels: {version: v2}}\n');
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    async function plan(vs: unknown): Promise<string> {
      const file = join(dir, 'vs.yaml');
      await writeFile(file, stringify(vs));
      let out = '';
      await runPlanCommand(['--spec', join(dir, 'canary.yaml'), '--virtual-service', file], { stdout: (s) => (out += s), stderr: (s) => (out += s) });
      return out;
    }

    it('a live object\'s values in the diff (a foreign route\'s header edit, an annotation)', async () => {
      const { readFile } = await import('node:fs/promises');
      const base = parse(await readFile(seed('mesh-virtualservice.yaml'), 'utf8'));
      await fc.assert(fc.asyncProperty(hostile, async (text) => {
        const vs = structuredClone(base);
        vs.metadata.annotations = { note: text };
        vs.spec.http.unshift({ name: 'admin', match: [{ uri: { prefix: '/admin' } }], headers: { request: { set: { 'x-note': text } } }, route: [{ destination: { host: 'catalog' } }] });
        expect(commandLines(await plan(vs))).toEqual([]);
      }), { numRuns: 40 });
    }, 60_000);

    it('a value echoed in an error', async () => {
      await fc.assert(fc.asyncProperty(hostile, async (text) => {
        expect(commandLines(await plan({ apiVersion: 'networking.istio.io/v1', kind: text, metadata: { name: text }, spec: {} }))).toEqual([]);
      }), { numRuns: 40 });
    }, 60_000);
  });
});
