// The `plan` command end to end on files: output, --out tree, and exit 2 with one message on bad input.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runPlanCommand } from '../../../src/cli/plan-command.ts';
import { headerRuleMark } from '../../../src/istio/header-rule.ts';

const seed = (f: string) => fileURLToPath(new URL(`../../fixtures/seed/${f}`, import.meta.url));
const SPEC = `apiVersion: istio-canary/v1
kind: Canary
metadata: {name: catalog}
spec:
  namespace: istioinaction
  virtualService: catalog
  destinationRule: catalog
  host: catalog
  stable: {subset: version-v1, labels: {version: v1}}
  canary: {subset: version-v2, labels: {version: v2}}
  bake: 5m
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-command-'));
  await writeFile(join(dir, 'canary.yaml'), SPEC);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runPlanCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('istio-canary plan', () => {
  it('prints each stage with its summary and diff, and writes the tree with --out', async () => {
    const out = join(dir, 'out');
    const live = join(dir, 'live-vs.yaml');
    const vs = parse(await readFile(seed('mesh-virtualservice.yaml'), 'utf8'));
    vs.metadata = { ...vs.metadata, namespace: 'istioinaction', resourceVersion: '99', uid: 'u-1', managedFields: [{ manager: 'kubectl' }] };
    await writeFile(live, JSON.stringify(vs));
    const r = await run('--spec', join(dir, 'canary.yaml'), '--virtual-service', live, '--destination-rule', seed('destinationrule.yaml'), '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const headings = r.stdout.split('\n').filter((l) => l.startsWith('== ')).map((l) => l.split(':')[0]);
    expect(headings).toEqual(['== 00-dark-launch', '== 01-mirror', '== 02-weight-10', '== 03-weight-50', '== 04-weight-100', '== promoted', '== rollback']);
    expect(r.stdout).toContain('+          weight: 90\n');
    expect((await readdir(out)).sort()).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100', 'plan.json', 'promoted', 'rollback']);
    const weight10 = parse(await readFile(join(out, '02-weight-10', 'virtualservice.yaml'), 'utf8'));
    // The header rule's mark rides with the rule, so a run from these files recognises it.
    expect(weight10.metadata).toEqual({ name: 'catalog', namespace: 'istioinaction', annotations: { 'header-rule.istio-canary.dev/catalog': headerRuleMark(weight10.spec.http[0]) } });
    expect(weight10.spec.http[1].route.map((d: { weight: number }) => d.weight)).toEqual([90, 10]);
    const rollbackDr = parse(await readFile(join(out, 'rollback', 'destinationrule.yaml'), 'utf8'));
    expect(rollbackDr.spec.subsets.map((s: { name: string }) => s.name)).toEqual(['version-v1', 'version-v2']);
    const plan = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    expect(plan.stages.map((s: { id: string }) => s.id)).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100']);
    expect(JSON.stringify(plan)).not.toContain('resourceVersion');
  });

  it('exit 2 and the usage when a required flag is missing', async () => {
    const r = await run('--spec', join(dir, 'canary.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^istio-canary plan: --virtual-service: required: the live VirtualService manifest\n\nistio-canary plan: print every stage's manifests[\s\S]*\nusage: istio-canary plan/);
    expect(r.stdout).toBe('');
  });

  it('exit 2 on an unknown flag', async () => {
    const r = await run('--spec', 'x', '--virtualservice', 'y');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--virtualservice'");
  });

  it('exit 2 naming file and line on malformed YAML, without a stack trace', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: catalog\nspec:\n  http:\n  - route: [\n');
    const r = await run('--spec', join(dir, 'canary.yaml'), '--virtual-service', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exit 2 on a manifest of the wrong kind', async () => {
    const r = await run('--spec', join(dir, 'canary.yaml'), '--virtual-service', seed('destinationrule.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected kind `VirtualService`');
  });

  it('exit 2 on a manifest of an API version that is not Istio networking', async () => {
    const vs = join(dir, 'old-api.yaml');
    await writeFile(vs, 'apiVersion: config.istio.io/v1alpha2\nkind: VirtualService\nmetadata: {name: catalog}\nspec: {}\n');
    const r = await run('--spec', join(dir, 'canary.yaml'), '--virtual-service', vs);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${vs}:1:13 apiVersion: expected one of`);
  });

  it('exit 2 with the plan\'s message when the VirtualService has no route to manage', async () => {
    const vs = join(dir, 'no-route.yaml');
    await writeFile(vs, 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: catalog}\nspec:\n  hosts: [catalog]\n  http:\n  - match: [{uri: {prefix: /a}}]\n    route: [{destination: {host: reviews}}]\n');
    const r = await run('--spec', join(dir, 'canary.yaml'), '--virtual-service', vs);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`istio-canary plan: ${vs}:7:3 VirtualService istioinaction/catalog: spec.http: no http route sends traffic to the stable version (subset 'version-v1' of 'catalog') or only to the canary (found destinations: 'reviews'); expected the spec's host and stable version among the routes' destinations\n`);
  });

  it('exit 2 naming the DestinationRule file and the line of the clashing subset', async () => {
    const drFile = join(dir, 'dr.yaml');
    await writeFile(drFile, 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: catalog}\nspec:\n  host: catalog\n  subsets:\n  - name: version-v2\n    labels: {version: v3}\n');
    const r = await run('--spec', join(dir, 'canary.yaml'), '--virtual-service', seed('mesh-virtualservice.yaml'), '--destination-rule', drFile);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`istio-canary plan: ${drFile}:8:13 DestinationRule istioinaction/catalog: spec.subsets[0].labels: subset 'version-v2' exists with labels {version: v3}; the spec expects {version: v2}\n`);
  });
});
