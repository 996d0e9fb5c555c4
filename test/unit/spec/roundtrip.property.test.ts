// Property tests: valid documents parse and round-trip; any mutation yields a spec or an InputError.
// Generous timeouts: the unit machine is shared; these bound a hang, they time nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InputError } from '../../../src/errors.ts';
import { stringifyCanarySpec } from '../../../src/spec/document.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import type { CanarySpec } from '../../../src/spec/types.ts';
import { canaryDocument } from './arbitraries.ts';

const withoutSource = ({ source: _source, ...rest }: CanarySpec) => rest;

/** Every path of objects/arrays in a value, root first. */
function containerPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [path, ...children.flatMap(([k, v]) => containerPaths(v, [...path, k]))];
}

function at(root: unknown, path: (string | number)[]): Record<string | number, unknown> {
  return path.reduce<any>((node, key) => node[key], root);
}

function outcome(text: string): 'spec' | 'input-error' {
  try {
    parseCanarySpecs(text, 'fuzz.yaml');
    return 'spec';
  } catch (e) {
    if (e instanceof InputError) {
      for (const p of e.problems) expect(p.message.length).toBeGreaterThan(0);
      return 'input-error';
    }
    throw e;
  }
}

describe('Canary spec properties', () => {
  it('a valid document parses; the spec written back parses to the same spec', () => {
    fc.assert(fc.property(canaryDocument, (document) => {
      const [spec] = parseCanarySpecs(stringify(document), 'a.yaml');
      expect(spec!.name).toBe(document.metadata.name);
      expect(spec!.stages).toHaveLength(document.spec.stages?.length ?? 5);
      expect(spec!.analysis?.checks.map((c) => c.name)).toEqual(document.spec.analysis?.checks.map((c) => c.name));
      const [again] = parseCanarySpecs(stringifyCanarySpec(spec!), 'b.yaml');
      expect(withoutSource(again!)).toEqual(withoutSource(spec!));
    }), { numRuns: 100 });
  }, 60_000);

  it('an unknown key anywhere is an InputError naming it', () => {
    fc.assert(fc.property(canaryDocument, fc.nat(), (document, pick) => {
      const objects = containerPaths(document).filter((p) => !Array.isArray(at(document, p)));
      const path = objects[pick % objects.length]!;
      // Under labels, headers and header-match maps any key is data, not a field.
      fc.pre(!['labels', 'headers'].includes(String(path.at(-1))) && path.at(-3) !== 'headers');
      at(document, path).zzUnknownField = 1;
      expect(() => parseCanarySpecs(stringify(document), 'm.yaml')).toThrow(/unknown field `zzUnknownField`/);
    }), { numRuns: 100 });
  }, 60_000);

  it('replacing any value with anything yields a spec or an InputError, never another exception', () => {
    fc.assert(fc.property(canaryDocument, fc.nat(), fc.oneof(fc.anything(), fc.constant(undefined)), (document, pick, value) => {
      const containers = containerPaths(document);
      const path = containers[pick % containers.length]!;
      const parent = at(document, path);
      const keys = Object.keys(parent);
      if (keys.length === 0) return;
      const key = keys[pick % keys.length]!;
      if (value === undefined) delete parent[key];
      else parent[key] = value;
      outcome(stringify(document));
    }), { numRuns: 150 });
  }, 60_000);

  it('random edits of the YAML text yield a spec or an InputError, never another exception', () => {
    fc.assert(fc.property(canaryDocument, fc.nat(), fc.nat(8), fc.string({ maxLength: 4 }), (document, pick, cut, insert) => {
      const text = stringify(document);
      const i = pick % (text.length + 1);
      outcome(text.slice(0, i) + insert + text.slice(i + cut));
    }), { numRuns: 150 });
  }, 60_000);
});
