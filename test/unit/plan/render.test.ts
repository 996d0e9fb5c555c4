import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canaryDocument, stringifyCanarySpec } from '../../../src/spec/document.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { createManifestRenderer, manifestYaml, planFiles, planJson, planText } from '../../../src/plan/render.ts';
import { canarySpec, seedDestinationRule, seedVirtualService, stage } from './helpers.ts';
import fc from 'fast-check';
import type { HttpRoute } from '../../../src/istio/types.ts';
import { scenarioArb } from './arbitraries.ts';
import { destinationRuleOf, virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

function liveFromServer(): VirtualService {
  const vs = seedVirtualService('mesh-virtualservice.yaml');
  vs.metadata = {
    ...vs.metadata,
    namespace: 'istioinaction',
    resourceVersion: '7',
    uid: '0b7c',
    generation: 3,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'kubectl' }],
    labels: { app: 'catalog' },
    annotations: { owner: 'shop' },
  };
  return { ...vs, status: { observedGeneration: 3 } };
}

describe('rendering', () => {
  it('manifests drop what the API server fills in and keep labels and annotations', () => {
    const doc = parse(manifestYaml(liveFromServer()));
    expect(doc.metadata).toEqual({ name: 'catalog', namespace: 'istioinaction', labels: { app: 'catalog' }, annotations: { owner: 'shop' } });
    expect(doc.status).toBeUndefined();
  });

  it('plan files: two manifests per stage, promoted and rollback, and plan.json', () => {
    const files = planFiles(planRelease(canarySpec(), liveFromServer(), seedDestinationRule())).map((f) => f.path);
    expect(files).toEqual([
      ...['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100', 'promoted', 'rollback'].flatMap((d) => [`${d}/destinationrule.yaml`, `${d}/virtualservice.yaml`]),
      'plan.json',
    ]);
  });

  it('the text says where a release already is and lists a stage without change as such', () => {
    const plan = planRelease(canarySpec(), seedVirtualService('traffic-shifting.yaml'), seedDestinationRule());
    const text = planText(plan, [seedVirtualService('traffic-shifting.yaml'), seedDestinationRule()]);
    expect(text.split('\n')[0]).toBe('The VirtualService already carries this release: stage 02-weight-10.');
    expect(text).toContain('== 00-dark-launch: requests with header x-istio-cohort exact "internal" go to version-v2');
  });

  it('shared objects never become YAML aliases', () => {
    const shared = { attempts: 2 };
    const vs = seedVirtualService('mesh-virtualservice.yaml');
    vs.spec.http = [{ name: 'a', match: [{ uri: { prefix: '/a' } }], retries: shared, route: [{ destination: { host: 'x' } }] }, { retries: shared, route: [{ destination: { host: 'catalog' } }] }];
    expect(manifestYaml(vs)).not.toMatch(/[&*]a\d/);
  });

  it('strings YAML 1.1 types (yes, on, ~, 1e3, 0o17, 2001-12-14, 1:20...) are quoted in every manifest, ours and foreign routes, labels and annotations', () => {
    const typed = ['yes', 'on', 'Off', 'NO', 'y', '~', '1_000', '0x1F', '0o17', '1e3', '.inf', '2001-12-14', '1:20', '=', '<<'];
    const vs = liveFromServer();
    vs.metadata.labels = Object.fromEntries(typed.map((t, i) => [`l${i}`, t]));
    vs.metadata.annotations = { on: 'yes', '1e3': '0o17' };
    vs.spec.http = [
      { name: 'foreign', match: typed.map((t) => ({ headers: { 'x-flag': { exact: t } } })), route: [{ destination: { host: 'reviews' }, headers: { request: { set: { 'x-yes': 'no' } } } }] },
      { name: 'owned', match: [{ queryParams: { on: { exact: 'off' } } }], route: [{ destination: { host: 'catalog' } }] },
      ...vs.spec.http!.filter((r) => r.match === undefined),
    ];
    const spec = canarySpec({ route: 'owned' });
    const plan = planRelease(spec, vs, seedDestinationRule());
    const json = planJson(plan);
    const byPath = new Map(planFiles(plan).map((f) => [f.path, f.content]));
    for (const stage of [...json.stages, json.promoted, json.rollback]) {
      for (const [file, obj] of [['virtualservice.yaml', virtualServiceOf(stage)], ['destinationrule.yaml', destinationRuleOf(stage)]] as const) {
        const text = byPath.get(`${stage.id}/${file}`)!;
        expect(parse(text, { version: '1.1' })).toEqual(obj);
        expect(parse(text)).toEqual(obj);
      }
    }
  });

  it('the effective spec written back keeps YAML 1.1-typed header values as strings', () => {
    const spec = canarySpec({ stages: [stage.darkLaunch({ 'x-beta': { exact: 'yes' }, 'x-on': { exact: 'on' } })] });
    const text = stringifyCanarySpec(spec);
    expect(parse(text, { version: '1.1' })).toEqual(canaryDocument(spec));
    expect(parseCanarySpecs(text, 'spec.yaml')[0]!.stages[0]).toMatchObject({ headers: { 'x-beta': { exact: 'yes' }, 'x-on': { exact: 'on' } } });
  });
});

describe('manifest renderer (routes rendered one by one and remembered)', () => {
  const awkward = fc.string({ unit: fc.constantFrom('a', ' ', '\n', ':', '#', '-', '"', "'", '|', '>', '{', '[', '&', '*', '!', '%', '@', '`', 'é'), maxLength: 12 });

  it('property: gives exactly the text of rendering the whole manifest, for every stage of random plans', () => {
    fc.assert(
      fc.property(scenarioArb, awkward, awkward, ({ spec, live, dr }, value, other) => {
        const vs = structuredClone(live);
        vs.spec.http![0] = { ...vs.spec.http![0]!, headers: { request: { set: { 'x-note': value } } }, description: other } as HttpRoute;
        const render = createManifestRenderer();
        expect(render(vs)).toBe(manifestYaml(vs));
        const plan = planRelease(spec, live, dr);
        for (const s of [...plan.stages, plan.promoted, plan.rollback]) {
          expect(render(virtualServiceOf(s))).toBe(manifestYaml(virtualServiceOf(s)));
          expect(render(destinationRuleOf(s))).toBe(manifestYaml(destinationRuleOf(s)));
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
