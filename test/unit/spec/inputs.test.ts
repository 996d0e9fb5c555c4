import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { specFromInputs, type SpecInputs } from '../../../src/spec/inputs.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';

const inputs: SpecInputs = { namespace: 'istioinaction', virtualService: 'catalog', host: 'catalog', stableVersion: 'v1', canaryVersion: 'v2' };

function problemsOf(given: SpecInputs): { path: string; message: string }[] {
  try {
    specFromInputs(given);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).problems.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('expected an InputError');
}

describe('specFromInputs', () => {
  it('builds the same spec as the equivalent file', () => {
    const [fromFile] = parseCanarySpecs(`apiVersion: istio-canary/v1
kind: Canary
metadata: {name: catalog}
spec:
  namespace: istioinaction
  virtualService: catalog
  host: catalog
  stable: {subset: version-v1, labels: {version: v1}}
  canary: {subset: version-v2, labels: {version: v2}}
`);
    expect(specFromInputs(inputs)).toEqual({ ...fromFile, source: {} });
  });

  it('takes the optional inputs, ignoring empty ones', () => {
    const spec = specFromInputs({ ...inputs, route: 'primary', destinationRule: 'catalog-dr', bake: '30s', settle: '', name: 'catalog-release' });
    expect([spec.route, spec.destinationRule, spec.bake, spec.settle, spec.name]).toEqual(['primary', 'catalog-dr', 30_000, 5_000, 'catalog-release']);
    expect(spec.stages.every((s) => s.bake === 30_000)).toBe(true);
  });

  it('names every missing required input', () => {
    expect(problemsOf({ ...inputs, namespace: '', canaryVersion: ' ' })).toEqual([
      { path: 'input namespace', message: 'input `namespace` is required when no spec file is given' },
      { path: 'input canary-version', message: 'input `canary-version` is required when no spec file is given' },
    ]);
  });

  it('names the input of an invalid value', () => {
    expect(problemsOf({ ...inputs, bake: 'five minutes', virtualService: 'Catalog VS' })).toEqual([
      { path: 'input virtual-service', message: expect.stringContaining('expected a Kubernetes object name') },
      { path: 'input bake', message: 'expected a duration such as 500ms, 30s, 5m or 1h30m, got "five minutes"' },
    ]);
  });

  it('refuses equal versions, naming canary-version', () => {
    expect(problemsOf({ ...inputs, canaryVersion: 'v1' }).map((p) => p.path)).toEqual(['input canary-version', 'input canary-version', 'input canary-version']);
  });

  it('refuses a version that cannot make a subset name', () => {
    expect(problemsOf({ ...inputs, canaryVersion: 'V2' })).toEqual([
      { path: 'input canary-version', message: expect.stringContaining('`version-V2` (from the version) is not a DNS-1123 label') },
    ]);
  });

  it('any strings give a spec or an InputError naming inputs, never another exception', () => {
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('v1', 'v2', 'catalog', '5m', ''));
    fc.assert(fc.property(fc.record({ namespace: text, virtualService: text, host: text, stableVersion: text, canaryVersion: text, bake: text, route: text }), (given) => {
      try {
        specFromInputs(given);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        for (const p of (e as InputError).problems) expect(p.path).toMatch(/^input [a-z-]+$/);
      }
    }), { numRuns: 200 });
  }, 60_000);
});
