// A release with outside hosts on the in-memory port: the ServiceEntry is written before the first
// routing write (before any canary traffic), kept at promotion, deleted at rollback after the routing
// is back on stable; an entry another release needs survives the rollback.
import { describe, expect, it } from 'vitest';
import { MANAGED_BY_LABEL, NEEDED_BY_ANNOTATION } from '../../../src/istio/service-entry.ts';
import type { ServiceEntry } from '../../../src/istio/types.ts';
import { CANARY_LABEL } from '../../../src/plan/objects.ts';
import { egressGateCheck } from '../../../src/analysis/checks/egress.ts';
import type { Sample } from '../../../src/analysis/metrics-source.ts';
import { NS, spec, world } from './harness.ts';

const HOST = 'jsonplaceholder.typicode.com';
const NAME = `egress-${HOST}`;
const egress = { hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP' as const, name: 'http-80' }], resolution: 'DNS' as const }], policy: 'fail' as const };

const entry = (w: ReturnType<typeof world>) => w.routing.peek<ServiceEntry>('ServiceEntry', NS, NAME);
const order = (w: ReturnType<typeof world>) => w.routing.history.map((o) => o.kind).filter((k, i, all) => i === 0 || all[i - 1] !== k);

describe('a release with egress hosts', () => {
  it('creates the entry before the first routing write and keeps it when promoted', async () => {
    const w = world({ spec: spec({ egress }) });
    const result = await w.exec('run');
    expect(result.status).toBe('promoted');
    expect(order(w)[0]).toBe('ServiceEntry');
    expect(entry(w)?.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: 'catalog' });
    expect(entry(w)?.metadata.annotations?.[NEEDED_BY_ANNOTATION]).toBe('catalog');
    expect(w.routing.deleted).toEqual([]);
  });

  it('a failed gate rolls back and deletes the entry after the routing is on stable', async () => {
    const w = world({ spec: spec({ egress }), health: (t) => (t.canaryWeight >= 10 ? 0 : 1) });
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(entry(w)).toBeUndefined();
    expect(w.routing.deleted.map((r) => `${r.kind}/${r.name}`)).toEqual([`ServiceEntry/${NAME}`]);
    const lastVsWrite = w.routing.history.findLastIndex((o) => o.kind === 'VirtualService');
    expect(w.traffic()).toEqual({ canaryWeight: 0, mirror: 0, header: false });
    expect(lastVsWrite).toBeGreaterThan(-1);
  });

  it('an entry another release also needs survives the rollback, without this release', async () => {
    const w = world({ spec: spec({ egress }), health: (t) => (t.canaryWeight >= 10 ? 0 : 1) });
    const other: ServiceEntry = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: NAME, namespace: NS, labels: { [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: 'forum' }, annotations: { [NEEDED_BY_ANNOTATION]: 'forum' } },
      spec: { hosts: [HOST], ports: [{ number: 80, name: 'http-80', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] },
    };
    await w.routing.write(other);
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(entry(w)?.metadata.annotations?.[NEEDED_BY_ANNOTATION]).toBe('forum');
    expect(entry(w)?.metadata.labels?.[CANARY_LABEL]).toBe('forum');
    expect(w.routing.deleted).toEqual([]);
    expect(w.routing.history.some((o) => o.kind === 'ServiceEntry' && o.metadata.annotations?.[NEEDED_BY_ANNOTATION] === 'catalog,forum')).toBe(true);
  });
});

describe('the egress gate in the stages', () => {
  const blocked: Sample = { labels: { source_workload: 'catalog-v2', destination_service_name: 'BlackHoleCluster', destination_service: HOST, response_code: '502' }, value: 12 };

  function gated(policy: 'fail' | 'warn', answer: Sample[]) {
    const base = spec({ egress: { ...egress, policy } });
    const gatedSpec = { ...base, analysis: { ...base.analysis!, checks: [...base.analysis!.checks, egressGateCheck([HOST], policy)] } };
    const w = world({ spec: gatedSpec });
    const queries: string[] = [];
    w.metrics.vector = async (promql) => {
      queries.push(promql);
      return promql.includes('BlackHoleCluster|PassthroughCluster') ? answer : [];
    };
    return { w, queries };
  }

  it('runs in every stage; blocked calls of the canary fail the first stage and roll the release back, naming the host', async () => {
    const { w, queries } = gated('fail', [blocked]);
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(result.state.reason).toContain(`12 call(s) to "${HOST}" blocked by the mesh (BlackHoleCluster, 502)`);
    expect(result.state.history.map((h) => [h.stage, h.result])).toEqual([['00-dark-launch', 'failed'], ['rollback', 'rolled-back']]);
    expect(queries.length).toBeGreaterThan(0);
    expect(w.traffic()).toEqual({ canaryWeight: 0, mirror: 0, header: false });
  });

  it('with policy warn the release is promoted and every stage carries the warning', async () => {
    const { w } = gated('warn', [blocked]);
    const result = await w.exec('run');
    expect(result.status).toBe('promoted');
    const verdicts = result.state.history.flatMap((h) => h.evaluations.flatMap((e) => e.verdicts)).filter((v) => v.check === 'egress');
    const gatedStages = result.state.history.filter((h) => h.evaluations.some((e) => e.verdicts.some((v) => v.check === 'egress'))).map((h) => h.stage);
    expect(gatedStages).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50']);
    expect(verdicts.every((v) => v.status === 'pass' && v.reason.startsWith('warning: '))).toBe(true);
  });
});
