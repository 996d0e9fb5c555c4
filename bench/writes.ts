// Writes per release against routing changes (issue 8): a default release (five stages, 5 m bakes,
// 1 m interval, 15 m holder timeout, 5 s settle) with every duration scaled from minutes to
// --minute-ms, run by the real wiring (`runRelease`) against the local mesh, then counted from the
// test API server's audit log (test/env/apiserver.ts): every successful write in the bench's
// namespace, by kind. A routing change is a VirtualService or DestinationRule write whose spec
// differs from what was stored before it; a write that changes only the state annotation is not one.
//   npx node bench/writes.ts [--releases N] [--minute-ms MS]
import { openSync, readSync, statSync, closeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runRelease } from '../src/app/release.ts';
import { jsonEqual } from '../src/istio/clone.ts';
import { istioWrites, readAuditEvents } from '../test/env/istio-writes.ts';
import type { MeshEnv } from '../test/env/mesh.ts';
import { SimulatorClient } from '../test/sim/client.ts';
import { benchNamespace, benchSpec, createInitialObjects, defaultStages, load, meshEnv, putCatalog, quietLog, removeObjects, routingFor, SERVICE } from './release-common.ts';

const { values } = parseArgs({ options: { releases: { type: 'string', default: '2' }, 'minute-ms': { type: 'string', default: '1000' } } });
const MINUTE = Number(values['minute-ms']);
const SCALED = { bake: 5 * MINUTE, interval: MINUTE, holderTimeout: 15 * MINUTE, settle: (5 / 60) * MINUTE, stages: 5, requestsPerSecond: 100 };

export interface ReleaseWrites {
  status: string;
  virtualService: number;
  destinationRule: number;
  /** Other writes by resource, e.g. { leases: 3 }. */
  other: Record<string, number>;
  routingChanges: number;
  evaluations: number;
}

interface AuditLine {
  stage?: string;
  verb?: string;
  objectRef?: { resource?: string; namespace?: string };
  responseStatus?: { code?: number };
}

/** The audit log's text from byte `from` on. */
function readFrom(path: string, from: number): string {
  const size = statSync(path).size;
  const buffer = Buffer.alloc(Math.max(0, size - from));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Counts the release's writes in `namespace`: the setup's audit text first (to know what was stored), then the release's. */
export function countWrites(setupText: string, releaseText: string, namespace: string): Omit<ReleaseWrites, 'status' | 'evaluations'> {
  const inNamespace = (w: { namespace: string }) => w.namespace === namespace;
  const setup = istioWrites(readAuditEvents(setupText)).filter(inNamespace);
  const release = istioWrites([...readAuditEvents(setupText), ...readAuditEvents(releaseText)]).filter(inNamespace).slice(setup.length);
  const routingChanges = release.filter((w) => (w.kind === 'VirtualService' || w.kind === 'DestinationRule') && !jsonEqual(w.before.get(`${w.kind}/${w.name}`)?.spec, w.object?.spec)).length;
  const other: Record<string, number> = {};
  for (const e of readAuditEvents(releaseText) as AuditLine[]) {
    const code = e.responseStatus?.code ?? 0;
    if (e.stage !== 'ResponseComplete' || code < 200 || code >= 300 || !WRITE_VERBS.has(e.verb ?? '') || e.objectRef?.namespace !== namespace) continue;
    const resource = e.objectRef.resource ?? '?';
    if (resource === 'virtualservices' || resource === 'destinationrules') continue;
    other[resource] = (other[resource] ?? 0) + 1;
  }
  return {
    virtualService: release.filter((w) => w.kind === 'VirtualService').length,
    destinationRule: release.filter((w) => w.kind === 'DestinationRule').length,
    other,
    routingChanges,
  };
}

async function oneRelease(env: MeshEnv, sim: SimulatorClient): Promise<ReleaseWrites> {
  const namespace = benchNamespace('writes');
  await putCatalog(sim, namespace, SCALED.requestsPerSecond);
  try {
    const beforeSetup = statSync(env.istioWrites).size;
    await createInitialObjects(routingFor(env), namespace);
    const beforeRelease = statSync(env.istioWrites).size;
    const spec = benchSpec(namespace, { stages: defaultStages(SCALED.bake), settle: SCALED.settle, interval: SCALED.interval, prometheusUrl: env.prometheusUrl });
    const result = await runRelease({ spec, command: 'run', kubeconfigPath: env.kubeconfig, log: quietLog, reports: [], holderId: 'bench-writes', holderTimeoutMs: SCALED.holderTimeout });
    const setupText = readFrom(env.istioWrites, beforeSetup).slice(0, beforeRelease - beforeSetup);
    const counted = countWrites(setupText, readFrom(env.istioWrites, beforeRelease), namespace);
    const evaluations = result.state.history.reduce((n, record) => n + record.evaluations.length, 0);
    return { status: result.status, evaluations, ...counted };
  } finally {
    await sim.deleteService(namespace, SERVICE);
    await removeObjects(env, namespace);
  }
}

const total = (w: ReleaseWrites) => w.virtualService + w.destinationRule + Object.values(w.other).reduce((a, b) => a + b, 0);

if (import.meta.main) {
  const env = await meshEnv();
  const sim = new SimulatorClient(env.simulatorUrl);
  const releases: ReleaseWrites[] = [];
  for (let i = 0; i < Number(values.releases); i++) releases.push(await oneRelease(env, sim));
  console.log(
    `default spec scaled 1 m → ${MINUTE} ms: ${SCALED.stages} stages × ${SCALED.bake} ms bake, interval ${SCALED.interval} ms, holder timeout ${SCALED.holderTimeout} ms, settle ${Math.round(SCALED.settle)} ms; counted from the API server's audit log\n`,
  );
  console.log('| release | result | VirtualService | DestinationRule | other | all writes | routing changes | routing-object writes / routing changes | all writes / routing changes | budget (changes + stages) | evaluations recorded |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [i, w] of releases.entries()) {
    const other = Object.entries(w.other).map(([k, v]) => `${v} ${k}`).join(', ') || '0';
    const routingWrites = w.virtualService + w.destinationRule;
    console.log(
      `| ${i + 1} | ${w.status} | ${w.virtualService} | ${w.destinationRule} | ${other} | ${total(w)} | ${w.routingChanges} | ${(routingWrites / w.routingChanges).toFixed(2)} | ${(total(w) / w.routingChanges).toFixed(2)} | ${w.routingChanges + SCALED.stages} | ${w.evaluations} |`,
    );
  }
  console.log(`\nload average after: ${load()}`);
}
