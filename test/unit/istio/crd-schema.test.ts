// Our produced objects against the real CRD schema of the pinned istio.io/api release (what the API
// server enforces), over random scenarios: a check that our own small schema does not miss anything
// the CRD rejects. Needs the module in Go's module cache (the mesh setup downloads it); without Go
// the test is skipped and says so — except in CI, where a missing component fails the run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { scenarioArb } from '../plan/arbitraries.ts';

import { ISTIO_API_MODULE, ISTIO_API_VERSION } from '../../env/istio-crds.ts';
import { destinationRuleOf, virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const ISTIO_API = `${ISTIO_API_MODULE}@${ISTIO_API_VERSION}`;

function crdFile(): string | undefined {
  try {
    const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    const file = join(cache, ISTIO_API, 'kubernetes', 'customresourcedefinitions.gen.yaml');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function crdValidators(file: string): Record<'VirtualService' | 'DestinationRule', ValidateFunction> {
  // The structural schema's Kubernetes extensions (x-kubernetes-*) and formats are not JSON Schema;
  // ajv ignores them, CEL rules included, which only cover durations we never write.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const crds = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS());
  const schemaOf = (kind: string) => {
    const crd = crds.find((c) => c?.spec?.names?.kind === kind);
    return crd.spec.versions.find((v: { name: string }) => v.name === 'v1').schema.openAPIV3Schema;
  };
  return { VirtualService: ajv.compile(schemaOf('VirtualService')), DestinationRule: ajv.compile(schemaOf('DestinationRule')) };
}

const file = crdFile();

describe.skipIf(file === undefined && process.env.CI !== 'true')(`produced objects against the ${ISTIO_API} CRD schema`, () => {
  it('every stage, promotion and rollback conforms', () => {
    if (file === undefined) throw new Error(`${ISTIO_API} is not in Go's module cache: npm run mesh:up downloads it`);
    const validators = crdValidators(file);
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr }) => {
        const plan = planRelease(spec, live, dr);
        for (const s of [...plan.stages, plan.promoted, plan.rollback]) {
          for (const obj of [virtualServiceOf(s), destinationRuleOf(s)]) {
            const validate = validators[obj.kind];
            expect(validate(obj), JSON.stringify(validate.errors)).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('the CRD schema rejects what our schema rejects for a weight that is not an integer', () => {
    const validators = crdValidators(file!);
    const bad = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: { http: [{ route: [{ destination: { host: 'c' }, weight: 'ten' }] }] } };
    expect(validators.VirtualService(bad)).toBe(false);
  });
});
