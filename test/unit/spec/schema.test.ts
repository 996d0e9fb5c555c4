import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { canarySchema } from '../../../src/spec/schema.ts';
import schema from '../../../schema/canary.schema.json' with { type: 'json' };

const example = parse(readFileSync(new URL('./fixtures/catalog.canary.yaml', import.meta.url), 'utf8'));
const referenceText = readFileSync(new URL('../../../schema/README.md', import.meta.url), 'utf8');
const referenceExample = /```yaml\n([\s\S]*?)```/.exec(referenceText)![1]!;

/** Every property schema below `node`, with its path. */
function* propertySchemas(node: unknown, path = '#'): Generator<[string, Record<string, unknown>]> {
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record.properties === 'object' && record.properties !== null) {
    for (const [key, value] of Object.entries(record.properties)) {
      if (typeof value === 'object') yield [`${path}/properties/${key}`, value as Record<string, unknown>];
    }
  }
  for (const [key, value] of Object.entries(record)) yield* propertySchemas(value, `${path}/${key}`);
}

describe('schema/canary.schema.json', () => {
  it('is the schema the spec validates with, check types from the registry included (npm run schema rewrites it)', () => {
    expect(schema).toEqual(canarySchema);
  });

  it('compiles under ajv strict mode', () => {
    const ajv = new Ajv({ strict: true, strictTypes: true, strictTuples: true, strictRequired: true, allErrors: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('validates the README example, and refuses it with a misspelt key', () => {
    const validate = new Ajv({ strict: true }).compile(schema);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    const misspelt = structuredClone(example);
    misspelt.spec.virtualServce = misspelt.spec.virtualService;
    expect(validate(misspelt)).toBe(false);
  });

  it('validates the example of schema/README.md, which also parses with its documented values', () => {
    const validate = new Ajv({ strict: true }).compile(schema);
    expect(validate(parse(referenceExample)), JSON.stringify(validate.errors)).toBe(true);
    const [spec] = parseCanarySpecs(referenceExample, 'README.md');
    expect(spec!.stages.map((s) => [s.kind, s.bake, s.pause])).toEqual([
      ['darkLaunch', 300_000, false], ['mirror', 300_000, false], ['weight', 300_000, false], ['weight', 600_000, true], ['weight', 300_000, false],
    ]);
    expect(spec!.analysis!.checks.map((c) => c.name)).toEqual(['success', 'latency', 'queue-depth']);
  });

  it('describes every property (editors show the descriptions)', () => {
    const undocumented = [...propertySchemas(schema)]
      .filter(([path, s]) => !path.includes('/oneOf/') && typeof s.description !== 'string')
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it('declares the five default stages of the issue', () => {
    expect(schema.properties.spec.properties.stages.default).toEqual([
      { darkLaunch: { headers: { 'x-istio-cohort': { exact: 'internal' } } } },
      { mirror: { percentage: 100 } },
      { weight: 10 },
      { weight: 50 },
      { weight: 100 },
    ]);
  });
});
