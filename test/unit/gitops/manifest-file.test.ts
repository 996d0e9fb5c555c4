// Editing a managed object in a GitOps repository's manifest file keeps every byte outside the fields
// that change: comments, key order, quoting, flow style, anchors, blank lines and other documents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { InputError } from '../../../src/errors.ts';
import { appendObject, editObject, findObject, objectsIn, removeObject, type ManifestRef } from '../../../src/gitops/manifest-file.ts';
import { withCanarySubset, withHeaderRoute, withMirror, withWeights } from './stage-edits.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/gitops');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const SHOP = 'shop-catalog.yaml';
const VS: ManifestRef = { kind: 'VirtualService', namespace: 'shop', name: 'catalog' };
const DR: ManifestRef = { kind: 'DestinationRule', namespace: 'shop', name: 'catalog' };

/** Source text of every document but `except`, as written. */
function otherDocuments(text: string, except: number): string[] {
  return parseAllDocuments(text)
    .map((doc, i) => (i === except ? '' : text.slice(doc.range[0], doc.range[2])));
}

describe('editObject on real-world manifests (byte for byte)', () => {
  it('dark launch: a canary subset and a header route added, nothing else in the file moves', () => {
    const text = read(SHOP);
    const vs = findObject(text, SHOP, VS).object;
    let out = editObject(text, SHOP, DR, withCanarySubset(findObject(text, SHOP, DR).object, 'version-v2', 'v2'));
    out = editObject(out, SHOP, VS, withHeaderRoute(withWeights(vs, 1, 'version-v2', 0, 'dark-launch'), 1, 'version-v2', 'x-canary', 'on'));
    expect(out).toBe(read('expected/shop-catalog.dark-launch.yaml'));
  });

  it('a weight stage with a mirror on the route that has comments, retries and a timeout', () => {
    const text = read(SHOP);
    const desired = withMirror(withWeights(findObject(text, SHOP, VS).object, 1, 'version-v2', 10, '{"stage":3,"of":5}'), 1, 'version-v2', 50);
    expect(editObject(text, SHOP, VS, desired)).toBe(read('expected/shop-catalog.weights-10-mirror.yaml'));
  });

  it('a Kustomize base without a namespace: found in any namespace, and none is written', () => {
    const file = 'kustomize/base/virtualservice.yaml';
    const text = read(file);
    const ref = { kind: 'VirtualService', namespace: 'payments', name: 'payments' };
    const found = findObject(text, file, ref);
    expect(found.namespaced).toBe(false);
    const live = { ...found.object, metadata: { ...(found.object['metadata'] as object), namespace: 'payments' } };
    expect(editObject(text, file, ref, withWeights(live, 0, 'canary', 50, 'yes'))).toBe(read('expected/kustomize-virtualservice.weights-50.yaml'));
  });

  it('flow-style objects stay flow style, a document end marker and a missing final newline are kept', () => {
    const file = 'gateway-flow.yaml';
    const text = read(file);
    const ref = { kind: 'VirtualService', namespace: 'web', name: 'storefront' };
    const internal = { kind: 'VirtualService', namespace: 'web', name: 'storefront-internal' };
    let out = editObject(text, file, ref, withWeights(findObject(text, file, ref).object, 1, 'v2', 10, 'on'));
    const other = structuredClone(findObject(out, file, internal).object) as any;
    other.spec.http[0].route[0].weight = 100;
    other.spec.http[0].route.push({ destination: { host: 'storefront', subset: 'v2' }, weight: 0 });
    other.metadata.annotations = { 'istio-canary.io/state': 'no' };
    out = editObject(out, file, internal, other);
    expect(out).toBe(read('expected/gateway-flow.weights-10.yaml'));
  });

  it('rolling back to the object as it was gives back the original file exactly', () => {
    for (const [file, ref, route, subset] of [
      [SHOP, VS, 1, 'version-v2'],
      ['kustomize/base/virtualservice.yaml', { kind: 'VirtualService', namespace: 'payments', name: 'payments' }, 0, 'canary'],
      ['gateway-flow.yaml', { kind: 'VirtualService', namespace: 'web', name: 'storefront' }, 1, 'v2'],
    ] as const) {
      const text = read(file);
      const original = findObject(text, file, ref).object;
      let out = editObject(text, file, ref, withHeaderRoute(withWeights(original, route, subset, 0, 'a'), route, subset, 'x-canary', 'yes'));
      out = editObject(out, file, ref, withMirror(withWeights(findObject(out, file, ref).object, route + 1, subset, 50, 'b'), route + 1, subset, 10));
      expect(out).not.toBe(text);
      expect(editObject(out, file, ref, original), file).toBe(text);
    }
  });

  it('an unchanged object leaves the file as it is (the same string)', () => {
    for (const file of [SHOP, 'gateway-flow.yaml', 'kustomize/base/destinationrule.yaml']) {
      const text = read(file);
      const doc = parseAllDocuments(text).map((d) => d.toJS()).find((o) => o?.kind === 'VirtualService' || o?.kind === 'DestinationRule');
      const ref = { kind: doc.kind, namespace: doc.metadata.namespace ?? 'any', name: doc.metadata.name };
      expect(editObject(text, file, ref, findObject(text, file, ref).object)).toBe(text);
    }
  });

  it('Windows line breaks stay Windows line breaks', () => {
    const text = read(SHOP).replaceAll('\n', '\r\n');
    const out = editObject(text, SHOP, VS, withHeaderRoute(findObject(text, SHOP, VS).object, 1, 'version-v2', 'x-canary', 'yes'));
    expect(out.replaceAll('\r\n', '')).not.toContain('\n');
    expect(out.replaceAll('\r\n', '\n')).toBe(editObject(read(SHOP), SHOP, VS, withHeaderRoute(findObject(read(SHOP), SHOP, VS).object, 1, 'version-v2', 'x-canary', 'yes')));
  });
});

describe('new content is Istio-safe', () => {
  it('strings YAML 1.1 or go-yaml would type are quoted; multi-line strings are double-quoted', () => {
    const text = read(SHOP);
    const vs = structuredClone(findObject(text, SHOP, VS).object) as any;
    const values = ['on', 'yes', 'No', '1.10', '0x1F', '2026-01-01', '~', 'a: b', '# not a comment', 'line one\nline two', "it's"];
    vs.metadata.annotations = Object.fromEntries(values.map((v, i) => [`k${i}`, v]));
    const out = editObject(text, SHOP, VS, vs);
    const doc = parseAllDocuments(out).map((d) => d.toJS()).find((o) => o?.kind === 'VirtualService');
    const yaml11 = parseAllDocuments(out, { version: '1.1' }).map((d) => d.toJS()).find((o) => o?.kind === 'VirtualService');
    expect(doc.metadata.annotations).toEqual(vs.metadata.annotations);
    expect(yaml11.metadata.annotations).toEqual(vs.metadata.annotations);
    expect(out).not.toMatch(/^\s+k\d+: [|>]/m);
  });
});

describe('what cannot be found or edited is one clear error naming it', () => {
  it('a missing file', () => {
    expect(() => findObject(undefined, 'deploy/vs.yaml', VS)).toThrow(new InputError({ file: 'deploy/vs.yaml', path: '', message: 'the file does not exist; it should hold VirtualService shop/catalog' }));
  });

  it('a missing object names the file, the object and how many documents were searched', () => {
    const error = (() => { try { findObject(read(SHOP), SHOP, { ...VS, name: 'cart' }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('shop-catalog.yaml: holds no VirtualService shop/cart (looked for kind, metadata.name and metadata.namespace in 4 documents)');
    expect(() => findObject(read(SHOP), SHOP, { ...VS, namespace: 'other' })).toThrow(/holds no VirtualService other\/catalog/);
  });

  it('an object written twice, and a broken document, name their lines', () => {
    const twice = 'kind: VirtualService\nmetadata: {name: a, namespace: n}\n---\nkind: VirtualService\nmetadata: {name: a, namespace: n}\n';
    expect(() => findObject(twice, 'f.yaml', { kind: 'VirtualService', namespace: 'n', name: 'a' })).toThrow('f.yaml: holds VirtualService n/a more than once (documents starting on lines 1, 4); keep one');
    expect(() => findObject('a: [\n', 'f.yaml', VS)).toThrow(/^f\.yaml:1: document 1 is not valid YAML: /);
  });

  it('a named namespace wins over a document that leaves it open', () => {
    const text = 'kind: VirtualService\nmetadata: {name: a}\nspec: {x: 1}\n---\nkind: VirtualService\nmetadata: {name: a, namespace: n}\nspec: {x: 2}\n';
    expect(findObject(text, 'f.yaml', { kind: 'VirtualService', namespace: 'n', name: 'a' }).docIndex).toBe(1);
  });

  it('a field shared through an anchor is refused rather than changing its other uses', () => {
    const text = 'kind: VirtualService\nmetadata: {name: a, namespace: n}\nspec:\n  base: &d {host: a, subset: v1}\n  http:\n  - route:\n    - destination: *d\n';
    const desired = parse(text);
    desired.spec.http[0].route[0].destination = { host: 'a', subset: 'v2' };
    const out = editObject(text, 'f.yaml', { kind: 'VirtualService', namespace: 'n', name: 'a' }, desired);
    expect(parse(out)).toEqual(desired);
    expect(out).toContain('base: &d {host: a, subset: v1}');
    const viaAnchor = parse(text);
    viaAnchor.spec.base.subset = 'v3';
    viaAnchor.spec.http[0].route[0].destination = { host: 'a', subset: 'v1' };
    expect(() => editObject(text, 'f.yaml', { kind: 'VirtualService', namespace: 'n', name: 'a' }, viaAnchor)).toThrow(/f\.yaml:1: cannot edit VirtualService n\/a in place: .*anchor/);
  });
});

// Random edits of one field of the managed VirtualService: the result reads back as the edit, the
// other documents keep their bytes, and every removed line of the original lies inside the edited field.
describe('property: only the edited field changes', () => {
  const text = read(SHOP);
  const vs = findObject(text, SHOP, VS).object as any;
  const docs = parseAllDocuments(text);
  const vsIndex = docs.findIndex((d) => d.toJS()?.kind === 'VirtualService');
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 500 }), fc.boolean(), fc.constantFrom('on', 'yes', '1.0', 'null', ''));
  const value = fc.oneof(scalar, fc.dictionary(fc.constantFrom('a', 'b', 'host', 'weight'), scalar, { minKeys: 1, maxKeys: 3 }), fc.array(scalar, { minLength: 1, maxLength: 3 }));
  // Paths to fields of the managed object, with the source lines each one spans.
  const paths: Array<Array<string | number>> = [
    ['spec', 'http', 1, 'route', 0, 'weight'],
    ['spec', 'http', 1, 'timeout'],
    ['spec', 'http', 1, 'retries'],
    ['spec', 'http', 0, 'match'],
    ['metadata', 'annotations', 'owner'],
    ['spec', 'gateways'],
    ['spec', 'http', 1, 'route', 0, 'destination', 'subset'],
  ];

  it('holds for 150 random edits', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, fc.boolean(), (path, newValue, remove) => {
        const desired = structuredClone(vs);
        const parent = path.slice(0, -1).reduce((o: any, k) => o[k], desired);
        if (remove && !Array.isArray(parent)) delete parent[path.at(-1)!];
        else parent[path.at(-1)!] = newValue;
        const out = editObject(text, SHOP, VS, desired);
        expect(findObject(out, SHOP, VS).object).toEqual(desired);
        const before = otherDocuments(text, vsIndex);
        expect(otherDocuments(out, vsIndex)).toEqual(before);
        const node = docs[vsIndex]!.getIn(path, true) as any;
        const pair = docs[vsIndex]!.getIn(path.slice(0, -1), true) as any;
        const keyNode = pair?.items?.find?.((p: any) => p.key?.value === path.at(-1))?.key;
        const from = lineOf(text, Math.min(keyNode?.range?.[0] ?? node.range[0], node.range[0]));
        const to = lineOf(text, node.range[2] - 1);
        let line = 1;
        for (const part of diffLines(text, out)) {
          const count = part.count ?? 0;
          if (part.removed) {
            expect(line, `${path.join('.')} removed lines ${line}..${line + count - 1}`).toBeGreaterThanOrEqual(from);
            expect(line + count - 1).toBeLessThanOrEqual(to);
          }
          if (!part.added) line += count;
        }
      }),
      { numRuns: 150 },
    );
  });
});

function lineOf(text: string, pos: number): number {
  return text.slice(0, pos).split('\n').length;
}

describe('adding, removing and listing objects', () => {
  it('a created object is a new last document; removing it gives the file back byte for byte', () => {
    for (const file of [SHOP, 'gateway-flow.yaml', 'kustomize/base/virtualservice.yaml']) {
      const text = read(file);
      const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'catalog-canary', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'istio-canary' } }, spec: { host: 'catalog', subsets: [{ name: 'on', labels: { version: 'yes' } }] } };
      const added = appendObject(text, dr);
      expect(added.startsWith(text)).toBe(true);
      expect(findObject(added, file, { kind: 'DestinationRule', namespace: 'shop', name: 'catalog-canary' }).object).toEqual(dr);
      expect(removeObject(added, file, { kind: 'DestinationRule', namespace: 'shop', name: 'catalog-canary' })).toBe(text.endsWith('\n') ? text : `${text}\n`);
    }
  });

  it('removing a document in the middle keeps the others and their comments', () => {
    const text = read(SHOP);
    const out = removeObject(text, SHOP, { kind: 'Service', namespace: 'shop', name: 'catalog' });
    expect(objectsIn(out, SHOP).map((o) => o.object['kind'])).toEqual(['Deployment', 'DestinationRule', 'VirtualService']);
    expect(out).toContain('# catalog: everything the shop');
    expect(out).toContain('# keep small: catalog is slow to start');
    const from = text.indexOf('---\n\napiVersion: v1\nkind: Service');
    const to = text.indexOf('---\napiVersion: networking.istio.io/v1\nkind: DestinationRule');
    expect(out).toBe(text.slice(0, from) + text.slice(to));
  });

  it('a new file holds just the object', () => {
    expect(appendObject(undefined, { kind: 'X', metadata: { name: 'on' } })).toBe('kind: X\nmetadata:\n  name: "on"\n');
  });

  it('lists every object with its line', () => {
    expect(objectsIn(read(SHOP), SHOP).map((o) => [o.object['kind'], o.line])).toEqual([['Deployment', 4], ['Service', 34], ['DestinationRule', 43], ['VirtualService', 58]]);
    expect(objectsIn(undefined, 'x')).toEqual([]);
  });
});
