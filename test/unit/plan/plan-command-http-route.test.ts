// `istio-canary plan` for a spec with routing httpRoute: planned against the HTTPRoute file given
// with --http-route, stage manifests written with --out, and one clear error for a missing or
// wrong manifest (located in its file). Every HTTPRoute of the files given (the flag repeats) joins
// the precedence proof; each dark-launch stage prints who the cohort reaches and why, and the plan
// says which routes it could not check (those only in the cluster).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runPlanCommand } from '../../../src/cli/plan-command.ts';

const example = (f: string) => fileURLToPath(new URL(`../../../examples/gateway-api/${f}`, import.meta.url));

async function plan(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runPlanCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan-http-route-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('plan with routing httpRoute', () => {
  it('plans every stage against the HTTPRoute file and writes the stage manifests', async () => {
    const out = join(dir, 'out');
    const result = await plan(['--spec', example('canary.yaml'), '--http-route', example('httproute.yaml'), '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('== 00-dark-launch');
    expect(result.stdout).toContain('writes: HTTPRoute');
    const dark = parse(await readFile(join(out, '00-dark-launch', 'httproute.yaml'), 'utf8'));
    expect(dark.spec.rules.map((r: { name: string }) => r.name)).toEqual(['health', 'catalog-dark-launch', 'main']);
  });

  const TEAM_ROUTES = `# Other teams' routes on the catalog Service.
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reports, namespace: gamma}
spec:
  parentRefs: [{group: "", kind: Service, name: catalog, port: 80}]
  rules: [{matches: [{path: {type: Exact, value: /reports}}], backendRefs: [{name: reports, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: reports, namespace: gamma}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: catalog-web, namespace: web}
spec:
  parentRefs: [{group: "", kind: Service, name: catalog, namespace: gamma, port: 80}]
  rules: [{backendRefs: [{name: catalog-v1, namespace: gamma, port: 80}]}]
`;

  it('takes the competing routes from every file given, and prints who the cohort reaches, who it cannot, and what was not checked', async () => {
    const team = join(dir, 'team-routes.yaml');
    await writeFile(team, TEAM_ROUTES);
    const out = join(dir, 'out-with-team');
    const result = await plan(['--spec', example('canary.yaml'), '--http-route', example('httproute.yaml'), '--http-route', team, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // plan.json carries the same: the proof per stage, who is not reached, what was not checked.
    const json = JSON.parse(await readFile(join(out, 'plan.json'), 'utf8'));
    expect(json.stages[0].notes[0]).toMatch(/^on Service gamma\/catalog \(4 matches of 2 HTTPRoutes/);
    expect(json.notes).toEqual([
      expect.stringContaining('clients in namespace web follow HTTPRoute web/catalog-web'),
      "HTTPRoute gamma/catalog spec.rules[0] (health) also sends to the stable Service 'catalog-v1'; the release shifts only spec.rules[1] (main), so the requests that rule matches stay on 'catalog-v1' at every stage and after promotion",
    ]);
    expect(json.unchecked).toEqual([expect.stringContaining('HTTPRoutes only in the cluster')]);
    const proof =
      'cohort: on Service gamma/catalog (4 matches of 2 HTTPRoutes, Gateway API precedence): the dark-launch match ranks #3, directly above the owned match #4 (PathPrefix /) it copies, nothing between them. So the cohort reaches the canary exactly where it reached the owned rule, and no request without the cohort header does.';
    expect(result.stdout).toContain(`== 00-dark-launch: `);
    expect(result.stdout.split(proof).length - 1).toBe(4); // dark launch, mirror, 10 % and 50 % keep the rule
    expect(result.stdout).toContain('Caveat: on Service gamma/catalog, clients in namespace web follow HTTPRoute web/catalog-web');
    expect(result.stdout).toContain(`Not checked: HTTPRoutes only in the cluster, not in ${example('httproute.yaml')}, ${team} (planned from files, nothing is read from a cluster)`);
  });

  it('refuses a plan a route of another file would break, naming that route and locating the owned match', async () => {
    const stealer = join(dir, 'stealer.yaml');
    await writeFile(
      stealer,
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: tenant-gold, namespace: gamma, creationTimestamp: "2030-01-01T00:00:00Z"}\nspec:\n  parentRefs: [{group: "", kind: Service, name: catalog, port: 80}]\n  rules: [{matches: [{path: {type: PathPrefix, value: /}, headers: [{name: x-tenant, value: gold}]}], backendRefs: [{name: catalog-v1, port: 80}]}]\n',
    );
    const result = await plan(['--spec', example('canary.yaml'), '--http-route', stealer, '--http-route', example('httproute.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`istio-canary plan: ${example('httproute.yaml')}:17:17 HTTPRoute gamma/catalog: spec.rules[1].matches[0]: HTTPRoute gamma/tenant-gold spec.rules[0].matches[0] ranks between the dark-launch match and the owned match`);
  });

  it('refuses files without the spec\'s HTTPRoute, and a route given twice', async () => {
    const team = join(dir, 'only-team.yaml');
    await writeFile(team, TEAM_ROUTES);
    const missing = await plan(['--spec', example('canary.yaml'), '--http-route', team]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`istio-canary plan: ${team}: no HTTPRoute gamma/catalog (the spec's httpRoute) in the given files; expected it among them\n`);
    const twice = await plan(['--spec', example('canary.yaml'), '--http-route', example('httproute.yaml'), '--http-route', example('httproute.yaml')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`HTTPRoute gamma/catalog: given twice (also in ${example('httproute.yaml')}); expected each HTTPRoute once`);
  });

  it('refuses a missing --http-route, and a manifest of another kind, in one line each', async () => {
    const missing = await plan(['--spec', example('canary.yaml'), '--virtual-service', example('httproute.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('spec.routing: the spec routes with an HTTPRoute: give its manifest with --http-route FILE');
    const vs = join(dir, 'vs.yaml');
    await writeFile(vs, 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: catalog}\nspec: {hosts: [catalog]}\n');
    const wrong = await plan(['--spec', example('canary.yaml'), '--http-route', vs]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(`istio-canary plan: ${vs}:2:7 kind: expected kind \`HTTPRoute\`, got "VirtualService"\n`);
  });
});
