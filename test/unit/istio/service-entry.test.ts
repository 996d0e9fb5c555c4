// The ServiceEntries a release plans for its outside hosts: one per host, ours and MESH_EXTERNAL,
// exported to the namespace; an entry that already covers the host (anybody's, wildcards too) is
// reused; ours are shared between releases and given back on rollback only when nobody needs them.
import { describe, expect, it } from 'vitest';
import {
  covers,
  MANAGED_BY_LABEL,
  NEEDED_BY_ANNOTATION,
  planServiceEntries,
  releaseServiceEntries,
  ServiceEntryConflict,
  serviceEntryName,
  type EgressRelease,
} from '../../../src/istio/service-entry.ts';
import type { ServiceEntry } from '../../../src/istio/types.ts';
import { serviceEntryRuleProblems } from '../../../src/istio/webhook-rules.ts';

const NS = 'istioinaction';
const HOST = 'jsonplaceholder.typicode.com';

function release(canary = 'forum', hosts = [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP', name: 'http-80' }], resolution: 'DNS' as const }]): EgressRelease {
  return { canary, namespace: NS, hosts };
}

function entry(name: string, hosts: string[], extra: Partial<ServiceEntry['spec']> = {}, meta: Partial<ServiceEntry['metadata']> = {}): ServiceEntry {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name, namespace: NS, ...meta },
    spec: { hosts, ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', resolution: 'DNS', ...extra },
  };
}

const ours = (name: string, hosts: string[], neededBy: string) =>
  entry(name, hosts, { exportTo: ['.'] }, { labels: { [MANAGED_BY_LABEL]: 'istio-canary' }, annotations: { [NEEDED_BY_ANNOTATION]: neededBy }, resourceVersion: '7', managedFields: [] });

describe('planning the entries of a release', () => {
  it('creates one MESH_EXTERNAL entry per host, labelled as ours, naming the release, exported to the namespace only', () => {
    const [step] = planServiceEntries(release(), []);
    expect(step).toEqual({
      kind: 'create',
      host: HOST,
      entry: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: `egress-${HOST}`, namespace: NS, labels: { 'app.kubernetes.io/managed-by': 'istio-canary' }, annotations: { 'istio-canary.dev/egress-needed-by': 'forum' } },
        spec: { hosts: [HOST], ports: [{ number: 80, name: 'http-80', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] },
      },
    });
    expect(serviceEntryRuleProblems(step!.kind === 'create' ? step!.entry : (undefined as never))).toEqual([]);
  });

  it.each([
    ['the exact host, exported everywhere', entry('theirs', [HOST])],
    ['a wildcard over it', entry('theirs', ['*.typicode.com'], { resolution: 'NONE' })],
    ['exported to our namespace by name', { ...entry('theirs', [HOST], { exportTo: [NS] }), metadata: { name: 'theirs', namespace: 'shared' } }],
  ])('reuses somebody else\'s entry that covers the host: %s', (_what, existing) => {
    expect(planServiceEntries(release(), [existing])).toEqual([{ kind: 'reuse', host: HOST, by: { namespace: existing.metadata.namespace, name: 'theirs' }, ours: false }]);
  });

  it.each([
    ['exported to its own namespace only', { ...entry('theirs', [HOST], { exportTo: ['.'] }), metadata: { name: 'theirs', namespace: 'shared' } }],
    ['for another port', entry('theirs', ['*.typicode.com'], { ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'NONE' })],
    ['for a sibling host', entry('theirs', ['api.typicode.com'])],
  ])('does not count an entry that does not cover the host: %s', (_what, existing) => {
    expect(planServiceEntries(release(), [existing])[0]?.kind).toBe('create');
  });

  it("shares our entry made by another release: this release is added to it, nothing else changes", () => {
    const live = ours(`egress-${HOST}`, [HOST], 'catalog');
    const [step] = planServiceEntries(release(), [live]);
    expect(step?.kind).toBe('share');
    if (step?.kind !== 'share') return;
    expect(step.entry.metadata.annotations).toEqual({ [NEEDED_BY_ANNOTATION]: 'catalog,forum' });
    expect(step.entry.spec).toEqual(live.spec);
    expect(step.entry.metadata.managedFields).toBeUndefined();
    expect(step.previous).toBe(live);
  });

  it('a second run of the same release writes nothing', () => {
    expect(planServiceEntries(release(), [ours(`egress-${HOST}`, [HOST], 'catalog,forum')])).toEqual([{ kind: 'reuse', host: HOST, by: { namespace: NS, name: `egress-${HOST}` }, ours: true }]);
  });

  it('refuses, naming the entry, when somebody else registers the host without our port, or holds our name for another host', () => {
    const narrow = entry('theirs', [HOST], { ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] });
    expect(() => planServiceEntries(release(), [narrow])).toThrow(new ServiceEntryConflict(`ServiceEntry ${NS}/theirs already registers ${HOST} without port(s) 80; add them to it (a second entry for the same host is not reliable)`));
    const squatter = entry(`egress-${HOST}`, ['other.example.com']);
    expect(() => planServiceEntries(release(), [squatter])).toThrow(/exists but does not register jsonplaceholder\.typicode\.com on port\(s\) 80/);
  });

  it('names: wildcard spelled out, long hosts cut to 253 characters with a hash', () => {
    expect(serviceEntryName('*.Typicode.com')).toBe('egress-wildcard.typicode.com');
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.com`;
    const name = serviceEntryName(long);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).not.toBe(serviceEntryName(`${long.slice(0, -4)}.org`));
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  });

  it('covers: every declared port must be listed', () => {
    const two = entry('theirs', [HOST], { ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'tls', protocol: 'TLS' }] });
    expect(covers(two, HOST, [80, 443], NS)).toBe(true);
    expect(covers(entry('theirs', [HOST]), HOST, [80, 443], NS)).toBe(false);
  });
});

describe('giving entries back on rollback', () => {
  it('deletes ours that only this release needed, unshares ours another release still needs, never touches anybody else\'s', () => {
    const mine = ours('egress-a.example.com', ['a.example.com'], 'forum');
    const shared = ours('egress-b.example.com', ['b.example.com'], 'catalog,forum');
    const other = ours('egress-c.example.com', ['c.example.com'], 'catalog');
    const theirs = { ...entry('theirs', ['d.example.com']), metadata: { name: 'theirs', namespace: NS, annotations: { [NEEDED_BY_ANNOTATION]: 'forum' } } };
    const steps = releaseServiceEntries('forum', NS, [mine, shared, other, theirs]);
    expect(steps.map((s) => [s.kind, s.entry.metadata.name])).toEqual([
      ['delete', 'egress-a.example.com'],
      ['unshare', 'egress-b.example.com'],
    ]);
    expect(steps[1]!.entry.metadata.annotations?.[NEEDED_BY_ANNOTATION]).toBe('catalog');
    expect(releaseServiceEntries('forum', NS, [])).toEqual([]);
  });
});
