// Bytes that are not UTF-8 in a spec or manifest are refused naming the line, never read as U+FFFD.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { loadCanarySpec } from '../../../src/spec/load.ts';
import { loadManifest } from '../../../src/spec/manifest.ts';
import { firstInvalidUtf8 } from '../../../src/spec/utf8.ts';

const dir = mkdtempSync(join(tmpdir(), 'utf8-'));
const SPEC = 'apiVersion: istio-canary/v1\nkind: Canary\nmetadata: {name: catalog}\nspec:\n  namespace: shop\n  virtualService: catalog\n  host: catalog\n  stable: {labels: {version: v1}}\n  canary: {labels: {version: v2}}\n';

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function messageOf(load: Promise<unknown>): Promise<string> {
  const e = await load.then(() => undefined, (error: unknown) => error);
  expect(e).toBeInstanceOf(InputError);
  return (e as Error).message;
}

describe('non-UTF-8 input', () => {
  it('a Latin-1 byte in a spec value: the file, line and column of the byte', async () => {
    const bytes = Buffer.concat([Buffer.from(SPEC), Buffer.from('  stages:\n    - darkLaunch: {headers: {x-cohort: {exact: "int'), Buffer.from([0xe9]), Buffer.from('rnal"}}}\n')]);
    const path = file('latin1.yaml', bytes);
    expect(await messageOf(loadCanarySpec(path))).toBe(`${path}:11:52: byte 0xe9 is not UTF-8; expected UTF-8 text (re-save the file as UTF-8)`);
  });

  it('in a VirtualService manifest too', async () => {
    const path = file('vs.yaml', Buffer.concat([Buffer.from('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: c'), Buffer.from([0xff]), Buffer.from('}\n')]));
    expect(await messageOf(loadManifest(path, 'VirtualService'))).toBe(`${path}:3:19: byte 0xff is not UTF-8; expected UTF-8 text (re-save the file as UTF-8)`);
  });

  it('valid multi-byte text (and a literal U+FFFD) is read as written', async () => {
    const path = file('ok.yaml', Buffer.from(`${SPEC.replace('host: catalog', 'host: catalog # é\uFFFD𝄞')}  stages:\n    - darkLaunch: {headers: {x-cohort: {exact: "ü𝄞\uFFFD"}}}\n`));
    const spec = await loadCanarySpec(path);
    expect(spec.stages[0]).toMatchObject({ kind: 'darkLaunch', headers: { 'x-cohort': { exact: 'ü𝄞\uFFFD' } } });
  });

  it('property: the position found is where a strict decoder first fails', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.string({ unit: 'grapheme', maxLength: 5 }), (before, junk, after) => {
      const bytes = Buffer.concat([Buffer.from(before), Buffer.from(junk), Buffer.from(after)]);
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        valid = false;
      }
      fc.pre(!valid);
      const bad = firstInvalidUtf8(bytes);
      // Everything before the reported character decodes, and the text up to it has that many lines and columns.
      const lines = before.split('\n');
      expect(bad.line).toBeGreaterThanOrEqual(lines.length);
      if (bad.line === lines.length) expect(bad.column).toBeGreaterThanOrEqual([...lines.at(-1)!].length + 1);
    }), { numRuns: 500 });
  });
});
