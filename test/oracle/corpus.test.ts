// The corpus (test/corpus) judged by Istio's own code. Every planned entry: the input and every
// stage's objects as `plan --out` writes them pass `istioctl validate`, pilot (the route oracle)
// accepts every stage's objects, and in each stage with the header rules a request of every owned
// route's match blocks that carries the cohort headers is routed by pilot's routes to the canary
// only. Every entry marked `istioRejects` is refused by istioctl too, for the reason our refusal gives.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHost } from '../../src/istio/hosts.ts';
import type { DestinationRule, HttpRoute, VirtualService } from '../../src/istio/types.ts';
import { planFiles } from '../../src/plan/render.ts';
import { findDestinationRule, virtualServiceOf } from '../../src/routing/virtual-service/objects.ts';
import type { Plan } from '../../src/plan/types.ts';
import type { CanarySpec, StringMatch } from '../../src/spec/types.ts';
import { loadCorpus, planEntry, type CorpusEntry } from '../corpus/corpus.ts';
import { writeTree } from './files.ts';
import { ensureIstioctl, istioctlValidate, RouteOracle } from '../env/istio-tools.ts';
import type { OracleAnswer } from './agreement.ts';
import { satisfying } from './probe-requests.ts';

let istioctl: string;
let oracle: RouteOracle;
let root: string;
beforeAll(async () => {
  istioctl = await ensureIstioctl();
  oracle = await RouteOracle.start();
  root = mkdtempSync(join(tmpdir(), 'corpus-oracle-'));
}, 1_200_000);
afterAll(async () => {
  await oracle?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const CANDIDATES = ['/productpage', '/api/v1/products', 'group1', 'valueA', 'internal', 'insider', 'Mozilla/5.0 Firefox/130', 'type=insider', 'beta', 'staff'];
const tally = { planned: 0, stages: 0, cohortRequests: 0, refusedByIstio: 0 };

const inNamespace = <T extends VirtualService | DestinationRule>(o: T, namespace: string): T => ({ ...o, metadata: { namespace, ...o.metadata } });

/** The services every destination and VirtualService host of the entry names, in the registry. */
function services(vs: VirtualService, namespace: string) {
  const hosts = [...(vs.spec.hosts ?? []), ...(vs.spec.http ?? []).flatMap((r) => [...(r.route ?? []).map((d) => d.destination.host), ...(r.mirror ? [r.mirror.host] : [])])];
  const named = new Map<string, { name: string; namespace: string }>();
  for (const host of hosts) {
    const fqdn = resolveHost(host, namespace);
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(fqdn);
    if (m) named.set(fqdn, { name: m[1]!, namespace: m[2]! });
  }
  return [...named.values()];
}

/** JWT-claim matches: pilot allows them on gateways only, and a request cannot carry a verified token here. */
const usesJwtClaims = (vs: VirtualService) => JSON.stringify(vs.spec.http ?? []).includes('"@request.auth.claims');

/**
 * What a sidecar is given for the entry: pilot builds a sidecar's routes only from VirtualServices bound
 * to the mesh, so a gateway-bound one is checked as the same http rules bound to the mesh for the spec's
 * host (the rules route the same way), and a delegate (no hosts) behind a root VirtualService for the
 * spec's host that delegates everything to it. Also the host clients send to.
 */
function meshBound(vs: VirtualService, spec: CanarySpec): { objects: VirtualService[]; host: string } {
  const host = resolveHost(spec.host, spec.namespace);
  if ((vs.spec.hosts ?? []).length === 0) {
    const root: VirtualService = { apiVersion: vs.apiVersion, kind: 'VirtualService', metadata: { name: `${vs.metadata.name}-root`, namespace: spec.namespace }, spec: { hosts: [spec.host], http: [{ delegate: { name: vs.metadata.name, namespace: spec.namespace } }] } };
    return { objects: [root, vs], host };
  }
  const gateways = vs.spec.gateways;
  if (gateways === undefined || gateways.includes('mesh')) return { objects: [vs], host: resolveHost(vs.spec.hosts![0]!, spec.namespace) };
  if (usesJwtClaims(vs)) return { objects: [vs], host };
  const { gateways: _g, ...rest } = vs.spec;
  return { objects: [{ ...vs, spec: { ...rest, hosts: [spec.host] } }], host };
}

/** A request matching `block` (undefined when it needs what a plain request cannot carry: a JWT, source labels). */
function requestFor(block: Record<string, unknown>, host: string): { host: string; path: string; method: string; headers: Record<string, string> } | undefined {
  if (block.sourceLabels !== undefined || block.gateways !== undefined || block.sourceNamespace !== undefined) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, m] of Object.entries((block.headers ?? {}) as Record<string, StringMatch>)) {
    if (name.startsWith('@request.auth.claims')) return undefined;
    const value = satisfying(m, CANDIDATES);
    if (value === undefined) return undefined;
    headers[name] = value;
  }
  const uri = block.uri as StringMatch | undefined;
  const path = uri ? satisfying(uri, CANDIDATES.filter((c) => c.startsWith('/'))) : '/';
  if (path === undefined) return undefined;
  const query = Object.entries((block.queryParams ?? {}) as Record<string, StringMatch>).map(([k, m]) => `${k}=${encodeURIComponent(satisfying(m, CANDIDATES) ?? '')}`);
  const method = block.method ? (satisfying(block.method as StringMatch, ['GET', 'POST']) ?? 'GET') : 'GET';
  return { host, path: query.length ? `${path}?${query.join('&')}` : path, method, headers };
}

const isCanaryCluster = (cluster: string, spec: CanarySpec) =>
  spec.canary.host !== undefined ? cluster.endsWith(`|${resolveHost(spec.canary.host, spec.namespace)}`) : cluster.includes(`|${spec.canary.subset}|`);

async function judgePlanned(entry: CorpusEntry, spec: CanarySpec, plan: Plan): Promise<void> {
  const ns = spec.namespace;
  const dir = mkdtempSync(join(root, 'entry-'));
  const input = writeTree(join(dir, 'input'), [entry.virtualService, ...(entry.destinationRule ? [entry.destinationRule] : [])].map((o, i) => ({ path: `${i}.json`, content: JSON.stringify(inNamespace(o, ns)) })));
  const inputCheck = await istioctlValidate(istioctl, input);
  expect(inputCheck.code, `${entry.id}: a planned input istioctl refuses\n${inputCheck.stderr}${inputCheck.stdout}`).toBe(0);
  const written = writeTree(join(dir, 'out'), planFiles(plan).filter((f) => f.path.endsWith('.yaml') && f.content !== ''));
  for (const stage of [...plan.stages, plan.promoted, plan.rollback]) {
    tally.stages++;
    const files = written.filter((p) => p.includes(`/out/${stage.id}/`));
    const validated = await istioctlValidate(istioctl, files);
    expect(validated.code, `${entry.id}, stage ${stage.id}: istioctl validate\n${validated.stderr}${validated.stdout}`).toBe(0);
    const stageVs = virtualServiceOf(stage);
    const stageDr = findDestinationRule(stage);
    const { objects: bound, host } = meshBound(stageVs, spec);
    const http = stageVs.spec.http ?? [];
    const rules = http.filter((r) => typeof r.name === 'string' && r.name.startsWith(`${spec.name}-dark-launch`));
    // A JWT-claim VirtualService stays on its gateway: no sidecar request reaches it (validated only).
    const routed = !usesJwtClaims(stageVs);
    const requests = routed ? rules.flatMap((rule: HttpRoute) => (rule.match ?? []).map((b) => requestFor(b, host))).filter((r) => r !== undefined) : [];
    const objects = [...bound, ...(stageDr ? [stageDr] : [])].map((o) => JSON.stringify(inNamespace(o, ns))).join('\n---\n');
    const answer = await oracle.ask<OracleAnswer>({ config: objects, services: services(stageVs, ns), proxy: { namespace: ns }, requests: requests.map((r) => ({ ...r, port: 80 })) });
    expect(answer.error, `${entry.id}, stage ${stage.id}: oracle error`).toBeUndefined();
    expect(answer.rejected ?? [], `${entry.id}, stage ${stage.id}: refused by pilot's validation`).toEqual([]);
    expect(rules.length > 0, `${entry.id}, stage ${stage.id}: header rules only in stages that have them`).toBe(stage.traffic.headerRule);
    // Each request satisfies a block of a header rule: the owned route's conditions and the cohort headers.
    requests.forEach((r, i) => {
      const clusters = answer.decisions?.[i]?.action?.clusters ?? [];
      expect(clusters.length > 0 && clusters.every((c) => isCanaryCluster(c.name, spec)), `${entry.id}, stage ${stage.id}: ${JSON.stringify(r)} → ${JSON.stringify(answer.decisions?.[i])}`).toBe(true);
      tally.cohortRequests++;
    });
  }
  tally.planned++;
}

/** Istio's own refusal of the input, for the same reason as ours. */
async function judgeRefusedByIstio(entry: CorpusEntry, message: string): Promise<void> {
  const namespace = /^(?:VirtualService|DestinationRule) ([^/\s]+)\//.exec(message)?.[1] ?? 'default';
  const dir = mkdtempSync(join(root, 'refused-'));
  const input = writeTree(dir, [entry.virtualService, ...(entry.destinationRule ? [entry.destinationRule] : [])].map((o, i) => ({ path: `${i}.json`, content: JSON.stringify(inNamespace(o, namespace)) })));
  const out = await istioctlValidate(istioctl, input);
  expect(out.code, `${entry.id}: istioctl accepts what we refuse as Istio's`).not.toBe(0);
  // Each problem of our message carries istiod's reason after the object and field path.
  for (const line of message.split('\n')) {
    const reason = line.slice(line.indexOf(': ', line.indexOf(': ') + 1) + 2).replace(/ \(removed from the API.*$/, '');
    expect(`${out.stderr}${out.stdout}`, `${entry.id}: istioctl's reason`).toContain(reason);
  }
  tally.refusedByIstio++;
}

describe('the corpus, judged by Istio', () => {
  const entries = loadCorpus();
  it.each(entries.map((e) => [e.id, e] as const))('%s', async (_id, entry) => {
    const outcome = planEntry(entry);
    if (outcome.kind === 'planned') await judgePlanned(entry, outcome.spec, outcome.plan);
    else if (entry.istioRejects) await judgeRefusedByIstio(entry, outcome.message);
  }, 300_000);

  afterAll(() => {
    console.log(`corpus: ${tally.planned} planned entries, ${tally.stages} stages validated by istioctl and pilot, ${tally.cohortRequests} cohort requests routed to the canary; ${tally.refusedByIstio} inputs refused by istioctl as by us`);
  });
});
