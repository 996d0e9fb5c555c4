import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { loadCanarySpec } from '../../../src/spec/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'spec-load-'));

function specText(name: string): string {
  return `apiVersion: istio-canary/v1
kind: Canary
metadata: {name: ${name}}
spec:
  namespace: shop
  virtualService: ${name}
  host: ${name}
  stable: {labels: {version: v1}}
  canary: {labels: {version: v2}}
`;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadCanarySpec', () => {
  const single = file('single.yaml', specText('catalog'));
  const several = file('several.yaml', `${specText('catalog')}---\n${specText('reviews')}`);

  it('returns the only spec of a file, remembering the file', async () => {
    const spec = await loadCanarySpec(single);
    expect(spec.name).toBe('catalog');
    expect(spec.source).toEqual({ file: single, document: 1 });
  });

  it('picks a spec by name', async () => {
    expect((await loadCanarySpec(several, 'reviews')).host).toBe('reviews');
  });

  it('asks for a name when the file holds several', async () => {
    await expect(loadCanarySpec(several)).rejects.toThrow(`${several}: the file holds 2 Canary specs (\`catalog\`, \`reviews\`); choose one by name`);
  });

  it('names the specs when the asked one is absent', async () => {
    await expect(loadCanarySpec(several, 'ratings')).rejects.toThrow(`${several}: no Canary named \`ratings\` in the file; it has \`catalog\`, \`reviews\``);
  });

  it('names a missing file', async () => {
    const missing = join(dir, 'missing.yaml');
    const error = await loadCanarySpec(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${missing}: cannot read the file: no such file`);
  });

  it('reports problems with the file path', async () => {
    const bad = file('bad.yaml', specText('catalog').replace('host: catalog', 'hots: catalog'));
    await expect(loadCanarySpec(bad)).rejects.toThrow(`${bad}:7:3 spec.hots: unknown field \`hots\`; did you mean \`host\`?`);
  });
});
