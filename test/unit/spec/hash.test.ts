import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/json/canonical.ts';
import { specHash } from '../../../src/spec/hash.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';

const text = `apiVersion: istio-canary/v1
kind: Canary
metadata: {name: catalog}
spec:
  namespace: shop
  virtualService: catalog
  host: catalog
  stable: {labels: {version: v1}}
  canary: {labels: {version: v2}}
`;

describe('specHash', () => {
  const [spec] = parseCanarySpecs(text, 'a.yaml');

  it('is a sha256 hex digest', () => {
    expect(specHash(spec!)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores where the spec came from and the order keys were written in', () => {
    const reordered = text.replace('  namespace: shop\n  virtualService: catalog\n', '  virtualService: catalog\n  namespace: shop\n');
    const [other] = parseCanarySpecs(`---\n${reordered}`, 'b.yaml');
    expect(other!.source).not.toEqual(spec!.source);
    expect(specHash(other!)).toBe(specHash(spec!));
  });

  it('changes when the content changes', () => {
    const [other] = parseCanarySpecs(text.replace('version: v2', 'version: v3'));
    expect(specHash(other!)).not.toBe(specHash(spec!));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
});
