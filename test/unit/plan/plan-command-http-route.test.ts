// `istio-canary plan` for a spec with routing httpRoute: planned against the HTTPRoute file given
// with --http-route, stage manifests written with --out, and one clear error for a missing or
// wrong manifest (located in its file).
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
