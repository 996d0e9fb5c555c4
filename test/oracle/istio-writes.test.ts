// CI's check of what istio-canary wrote (test/env/check-istio-writes.ts), on audit logs written
// here: refused objects and new analyzer findings are problems; a refusal the replaced object
// already had, dry runs, refused requests and other field managers are not.

import { beforeAll, describe, expect, it } from 'vitest';
import { checkIstioWrites } from '../env/check-istio-writes.ts';
import { ensureIstioctl, newFindings } from '../env/istio-tools.ts';
import { istioWrites, readAuditEvents, type IstioObject } from '../env/istio-writes.ts';

let istioctl: string;
beforeAll(async () => {
  istioctl = await ensureIstioctl();
}, 1_200_000);

const NS = 'shop';

function vs(http: unknown[], name = 'catalog'): IstioObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: NS, managedFields: [{ manager: 'x' }] }, spec: { hosts: ['catalog'], http } };
}

const dr: IstioObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'catalog', namespace: NS },
  spec: { host: 'catalog', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
};

const toV1 = { route: [{ destination: { host: 'catalog', subset: 'v1' } }] };
const dark = { match: [{ headers: { 'x-cohort': { exact: 'internal' } } }], route: [{ destination: { host: 'catalog', subset: 'v2' } }] };

let second = 0;
function event(verb: string, object: IstioObject, options: { manager?: string; code?: number; dryRun?: boolean } = {}): string {
  const resource = object.kind === 'VirtualService' ? 'virtualservices' : 'destinationrules';
  const query = new URLSearchParams({ fieldManager: options.manager ?? 'istio-canary', ...(options.dryRun ? { dryRun: 'All' } : {}) });
  second++;
  return JSON.stringify({
    stage: 'ResponseComplete',
    verb,
    requestURI: `/apis/networking.istio.io/v1/namespaces/${NS}/${resource}/${object.metadata.name}?${query}`,
    objectRef: { apiGroup: 'networking.istio.io', resource, namespace: NS, name: object.metadata.name },
    responseStatus: { code: options.code ?? 200 },
    responseObject: object,
    stageTimestamp: `2026-01-01T00:00:${String(second).padStart(2, '0')}.000000Z`,
  });
}

async function check(lines: string[]) {
  const writes = istioWrites(readAuditEvents(`${lines.join('\n')}\n{"cut short`)).filter((w) => w.fieldManager === 'istio-canary');
  return checkIstioWrites(writes, istioctl);
}

describe('what istio-canary wrote, judged by istioctl', () => {
  it('a clean release step passes; the test laying out its VirtualService is judged by validate only', async () => {
    const result = await check([event('create', dr, { manager: 'kubectl' }), event('create', vs([toV1])), event('patch', vs([dark, toV1]))]);
    expect(result.problems).toEqual([]);
    expect(result.writes).toBe(2);
  });

  it('an object istiod refuses is a problem naming the write', async () => {
    const refused = vs([{ ...toV1, retries: { attempts: 0, perTryTimeout: '1s' } }]);
    const result = await check([event('create', vs([toV1]), { manager: 'kubectl' }), event('patch', refused)]);
    const refusals = result.problems.filter((p) => p.problem.startsWith('istioctl validate'));
    expect(refusals.map((p) => p.write)).toEqual([expect.stringContaining('patch VirtualService shop/catalog')]);
    expect(refusals[0]!.problem).toMatch(/istioctl validate refuses it:[\s\S]*attempts/);
    // istioctl analyze reports the same schema error (IST0106) as new.
    expect(result.problems.map((p) => p.problem)).toContainEqual(expect.stringContaining('IST0106'));
  });

  it('a refusal the replaced object already had is a note, not a problem', async () => {
    const broken = vs([{ ...toV1, retries: { attempts: 0, perTryTimeout: '1s' } }]);
    const result = await check([event('create', broken, { manager: 'kubectl' }), event('patch', vs([dark, { ...toV1, retries: { attempts: 0, perTryTimeout: '2s' } }]))]);
    expect(result.notes).toHaveLength(1);
    expect(result.problems.filter((p) => p.problem.startsWith('istioctl validate'))).toEqual([]);
  });

  it('a duplicate match block the input did not have is a new analyzer finding', async () => {
    const result = await check([event('create', dr, { manager: 'kubectl' }), event('create', vs([dark, toV1]), { manager: 'kubectl' }), event('patch', vs([dark, dark, toV1]))]);
    expect(result.problems.map((p) => p.problem)).toContainEqual(expect.stringMatching(/new \w+ IST0130|new \w+ IST0131/));
  });

  it('dry runs, refused requests and other field managers change nothing', async () => {
    const refused = vs([{ ...toV1, retries: { attempts: 0, perTryTimeout: '1s' } }]);
    const result = await check([
      event('create', vs([toV1]), { manager: 'kubectl' }),
      event('patch', refused, { dryRun: true }),
      event('patch', refused, { code: 422 }),
      event('patch', refused, { manager: 'someone-else' }),
    ]);
    expect(result).toMatchObject({ writes: 0, problems: [] });
  });

  it('findings are compared by code, origin and message with rule numbers blanked', () => {
    const f = (message: string, origin = 'VirtualService shop/catalog') => ({ code: 'IST0130', level: 'Warning', origin, message });
    expect(newFindings([f('rule #1 not used')], [f('rule #2 not used'), f('rule #3 not used')])).toEqual([]);
    expect(newFindings([f('rule #1 not used')], [f('rule "x" not used'), f('rule "x" not used')])).toEqual([f('rule "x" not used')]);
    expect(newFindings([f('rule #1 not used')], [f('rule #1 not used', 'VirtualService shop/other')])).toHaveLength(1);
  });
});
