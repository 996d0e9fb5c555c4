import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { loadManifest, parseManifest } from '../../../src/spec/manifest.ts';

const vs = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: catalog-vs-from-gw
spec:
  hosts: ["catalog.istioinaction.io"]
  gateways: [catalog-gateway]
  http:
  - route:
    - destination: {host: catalog}
`;

function messageOf(text: string, kind: 'VirtualService' | 'DestinationRule' = 'VirtualService'): string {
  try {
    parseManifest(text, 'vs.yaml', kind);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error('expected an InputError');
}

describe('parseManifest', () => {
  it('a namespace or annotations that are not text are named, never shown as [object Object]', () => {
    const message = messageOf(vs.replace('  name: catalog-vs-from-gw', '  name: catalog-vs-from-gw\n  namespace: {a: 1}\n  annotations: [x]'));
    expect(message).toBe('vs.yaml:5:14 metadata.namespace: expected a namespace name (a string), got a mapping\nvs.yaml:6:16 metadata.annotations: expected a mapping of strings, got a list');
  });


  it('returns the object as written', () => {
    const parsed = parseManifest(vs, 'vs.yaml', 'VirtualService');
    expect(parsed.metadata.name).toBe('catalog-vs-from-gw');
    expect(parsed.spec.gateways).toEqual(['catalog-gateway']);
    expect(parsed.spec.http?.[0]?.route?.[0]?.destination.host).toBe('catalog');
  });

  it.each(['networking.istio.io/v1', 'networking.istio.io/v1beta1'])('accepts %s', (apiVersion) => {
    expect(parseManifest(vs.replace('networking.istio.io/v1alpha3', apiVersion), 'vs.yaml', 'VirtualService').apiVersion).toBe(apiVersion);
  });

  it('refuses malformed YAML with its line', () => {
    expect(messageOf(vs.replace('[catalog-gateway]', '[catalog-gateway'))).toMatch(/^vs\.yaml:8:\d+: malformed YAML: /);
  });

  it('refuses a document that is not a mapping', () => {
    expect(messageOf('just text\n')).toBe('vs.yaml:1:1: expected a VirtualService (a mapping with apiVersion, kind, metadata and spec), got "just text"');
  });

  it('refuses the wrong kind', () => {
    expect(messageOf(vs, 'DestinationRule')).toBe('vs.yaml:2:7 kind: expected kind `DestinationRule`, got "VirtualService"');
  });

  it('refuses an unknown apiVersion', () => {
    expect(messageOf(vs.replace('networking.istio.io/v1alpha3', 'networking.istio.io/v2'))).toBe(
      'vs.yaml:1:13 apiVersion: expected one of `networking.istio.io/v1`, `networking.istio.io/v1beta1`, `networking.istio.io/v1alpha3`, got "networking.istio.io/v2"',
    );
  });

  it('refuses a missing metadata.name', () => {
    expect(messageOf(vs.replace('  name: catalog-vs-from-gw', '  labels: {a: b}'))).toBe('vs.yaml:4:3 metadata.name: expected the object\'s name (a non-empty string), got nothing');
  });

  it('refuses several documents', () => {
    expect(messageOf(`${vs}---\n${vs}`)).toBe('vs.yaml: expected exactly one VirtualService, found 2 documents');
  });

  it('refuses an empty file', () => {
    expect(messageOf('')).toBe('vs.yaml: expected exactly one VirtualService, found no YAML document');
  });
});

describe('loadManifest', () => {
  it('reads the file, and names it when missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const path = join(dir, 'dr.yaml');
    writeFileSync(path, 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: catalog}\nspec: {host: catalog}\n');
    expect((await loadManifest(path, 'DestinationRule')).spec.host).toBe('catalog');
    await expect(loadManifest(join(dir, 'nope.yaml'), 'DestinationRule')).rejects.toThrow(`${join(dir, 'nope.yaml')}: cannot read the file: no such file`);
  });
});
