// Our copy of istiod's ServiceEntry rules (src/istio/webhook/service-entry.ts) judged by `istioctl
// validate` itself: on hand-picked entries each breaking one rule (or just not breaking it), our rules
// refuse exactly those istioctl refuses; and every entry the planner creates for hosts the spec
// accepts — generated — passes istioctl.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredServiceEntry } from '../../src/istio/service-entry.ts';
import type { ServiceEntry } from '../../src/istio/types.ts';
import { serviceEntryRuleProblems } from '../../src/istio/webhook-rules.ts';
import { egressProblems } from '../../src/spec/egress.ts';
import { loadCanarySpec } from '../../src/spec/load.ts';
import { planFiles } from '../../src/plan/render.ts';
import { planRelease } from '../../src/routing/virtual-service/plan.ts';
import type { DestinationRule, VirtualService } from '../../src/istio/types.ts';
import { ensureIstioctl, istioctlValidate } from '../env/istio-tools.ts';

let istioctl: string;
let dir: string;
beforeAll(async () => {
  istioctl = await ensureIstioctl();
  dir = mkdtempSync(join(tmpdir(), 'se-istioctl-'));
}, 1_200_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function istioctlAccepts(se: ServiceEntry): Promise<{ accepted: boolean; output: string }> {
  const file = join(dir, `${n++}.json`);
  writeFileSync(file, JSON.stringify(se));
  const r = await istioctlValidate(istioctl, [file]);
  return { accepted: r.code === 0, output: `${r.stdout}${r.stderr}` };
}

const se = (spec: Record<string, unknown>): ServiceEntry => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'e', namespace: 'ns' },
  spec: { hosts: ['api.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', resolution: 'DNS', ...spec } as ServiceEntry['spec'],
});

const CASES: Array<[string, ServiceEntry]> = [
  ['the minimal valid form', se({})],
  ['no hosts', se({ hosts: [] })],
  ['host *', se({ hosts: ['*'], resolution: 'NONE' })],
  ['a bad label', se({ hosts: ['bad_name.example.com'] })],
  ['an all-numeric top-level domain', se({ hosts: ['example.123'] })],
  ['a wildcard with NONE', se({ hosts: ['*.example.com'], resolution: 'NONE' })],
  ['a wildcard with DNS', se({ hosts: ['*.example.com'] })],
  ['a wildcard with DNS_ROUND_ROBIN', se({ hosts: ['*.example.com'], resolution: 'DNS_ROUND_ROBIN' })],
  ['duplicate port numbers', se({ ports: [{ number: 80, name: 'a', protocol: 'HTTP' }, { number: 80, name: 'b', protocol: 'HTTP' }] })],
  ['duplicate port names', se({ ports: [{ number: 80, name: 'a', protocol: 'HTTP' }, { number: 81, name: 'a', protocol: 'HTTP' }] })],
  ['a port name that is no DNS label', se({ ports: [{ number: 80, name: 'http_80', protocol: 'HTTP' }] })],
  ['an unknown protocol', se({ ports: [{ number: 80, name: 'http', protocol: 'HTTP3' }] })],
  ['a lowercase protocol', se({ ports: [{ number: 80, name: 'http', protocol: 'http' }] })],
  ['a bad target port', se({ ports: [{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 70000 }] })],
  ['two hosts on an HTTP port', se({ hosts: ['a.example.com', 'b.example.com'] })],
  ['two hosts on a TCP port', se({ hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 27017, name: 'mongo', protocol: 'MONGO' }] })],
  ['two hosts on a TCP port with NONE', se({ hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 9000, name: 'tcp', protocol: 'TCP' }], resolution: 'NONE' })],
  ['a CIDR with DNS', se({ addresses: ['10.0.0.0/24'] })],
  ['a CIDR with NONE', se({ addresses: ['10.0.0.0/24'], resolution: 'NONE' })],
  ['a bad address', se({ addresses: ['10.0.0.300'], resolution: 'NONE' })],
  ['exportTo duplicates', se({ exportTo: ['.', 'ns'] })],
  ['exportTo ~ (allowed for entries)', se({ exportTo: ['~'] })],
  ['exportTo * with another', se({ exportTo: ['*', 'other'] })],
];

describe('our ServiceEntry rules agree with istioctl validate', () => {
  it.each(CASES)('%s', async (_what, entry) => {
    const ours = serviceEntryRuleProblems(entry);
    const { accepted, output } = await istioctlAccepts(entry);
    expect(ours.length === 0, `ours: ${JSON.stringify(ours)}\nistioctl: ${output}`).toBe(accepted);
  });
});

describe('entries planned from hosts the spec accepts pass istioctl validate', () => {
  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/);
  const name = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'io', 'dev', 'org')).map(([ls, tld]) => [...ls, tld].join('.'));
  const host = fc.oneof(name, name.map((h) => `*.${h}`));
  const protocol = fc.constantFrom('HTTP', 'HTTPS', 'GRPC', 'HTTP2', 'MONGO', 'TCP', 'TLS');
  const ports = fc.uniqueArray(fc.record({ number: fc.integer({ min: 1, max: 65535 }), protocol }), { minLength: 1, maxLength: 3, selector: (p) => p.number });

  it('generated hosts and ports', async () => {
    await fc.assert(
      fc.asyncProperty(host, ports, async (h, ps) => {
        const request = { host: h, ports: ps.map((p) => ({ ...p, name: `${p.protocol.toLowerCase()}-${p.number}` })), resolution: h.startsWith('*') ? ('NONE' as const) : ('DNS' as const) };
        const spec = { namespace: 'ns', host: 'forum', egress: { hosts: [request] } };
        if (egressProblems(spec).length > 0) return;
        const entry = desiredServiceEntry({ canary: 'forum', namespace: 'ns', hosts: [request] }, request);
        expect(serviceEntryRuleProblems(entry)).toEqual([]);
        const { accepted, output } = await istioctlAccepts(entry);
        expect(accepted, output).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});

describe('the forum example (examples/forum)', () => {
  it('its manifests and the entry its release creates pass istioctl validate', async () => {
    const examples = new URL('../../examples/forum/', import.meta.url).pathname;
    const spec = await loadCanarySpec(join(examples, 'canary.yaml'));
    const egress = spec.egress!;
    const request = egress.hosts[0]!;
    expect(request).toEqual({ host: 'jsonplaceholder.typicode.com', ports: [{ number: 80, protocol: 'HTTP', name: 'http-80' }], resolution: 'DNS' });
    expect(await istioctlAccepts(desiredServiceEntry({ canary: spec.name, namespace: spec.namespace, hosts: egress.hosts }, request))).toMatchObject({ accepted: true });
    const manifests = readdirSync(examples).filter((f) => f !== 'canary.yaml').map((f) => join(examples, f));
    const r = await istioctlValidate(istioctl, manifests);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it('plan --out of its release: the entry is in the first stage, and every file passes istioctl validate', async () => {
    const examples = new URL('../../examples/forum/', import.meta.url).pathname;
    const spec = await loadCanarySpec(join(examples, 'canary.yaml'));
    const vs = parse(readFileSync(join(examples, 'virtualservice.yaml'), 'utf8')) as VirtualService;
    const dr = parse(readFileSync(join(examples, 'destinationrule.yaml'), 'utf8')) as DestinationRule;
    const files = planFiles(planRelease(spec, vs, dr)).filter((f) => f.path.endsWith('.yaml') && f.content !== '');
    expect(files.filter((f) => f.content.includes('kind: ServiceEntry')).map((f) => f.path.split('/')[0])).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100', 'promoted']);
    const out = mkdtempSync(join(dir, 'forum-plan-'));
    const paths = files.map((f) => {
      const path = join(out, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
      return path;
    });
    const r = await istioctlValidate(istioctl, paths);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
  });
});
