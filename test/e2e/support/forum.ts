// The seed's forum service (chapter 5, outbound traffic), shared by the apply-mode and commit-mode
// egress tests: its canary spec and its two versions in the simulator, v2 calling outside hosts.
import type { KubeConfig } from '@kubernetes/client-node';
import { getIstio, type IstioObject } from '../../env/cluster.ts';
import type { SimulatorClient } from '../../sim/client.ts';
import { DEFAULT_CHECKS, DEFAULT_MAX_HOLD, type HttpRoute } from './release-fixture.ts';

/** The outside host forum v2 calls, and the name of the ServiceEntry a release makes for it. */
export const FORUM_HOST = 'jsonplaceholder.typicode.com';
export const FORUM_ENTRY = `egress-${FORUM_HOST}`;

const to = (subset: string) => ({ destination: { host: 'forum', subset } });

/** forum's routing before a release: a DestinationRule with v1's subset and a VirtualService with a foreign `admin` route before the owned `primary`. */
export function forumObjects(ns: string): { admin: HttpRoute; dr: IstioObject; initialVs: IstioObject } {
  const admin: HttpRoute = { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [to('version-v1')] };
  const dr: IstioObject = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'forum', namespace: ns }, spec: { host: 'forum', subsets: [{ name: 'version-v1', labels: { app: 'forum', version: 'v1' } }] } };
  const initialVs: IstioObject = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'forum', namespace: ns }, spec: { hosts: ['forum'], http: [admin, { name: 'primary', route: [to('version-v1')] }] } };
  return { admin, dr, initialVs };
}

/** A namespace-wide Sidecar setting the outbound traffic mode. */
export function outboundSidecar(ns: string, mode: 'REGISTRY_ONLY' | 'ALLOW_ANY'): IstioObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: ns }, spec: { outboundTrafficPolicy: { mode } } };
}

export const readForum = (kc: KubeConfig, ns: string) => getIstio(kc, { kind: 'VirtualService', namespace: ns, name: 'forum' });
export const readEntry = (kc: KubeConfig, ns: string, name = FORUM_ENTRY) => getIstio(kc, { kind: 'ServiceEntry', namespace: ns, name });

/** forum's canary spec (apply mode) in `ns`, with the given `egress` section. */
export function forumSpec(ns: string, egress: Record<string, unknown>) {
  return {
    apiVersion: 'istio-canary/v1',
    kind: 'Canary',
    metadata: { name: 'forum' },
    spec: {
      namespace: ns,
      virtualService: 'forum',
      route: 'primary',
      host: 'forum',
      stable: { labels: { app: 'forum', version: 'v1' } },
      canary: { labels: { app: 'forum', version: 'v2' } },
      bake: '4s',
      settle: '300ms',
      egress,
      analysis: { interval: '2s', maxHold: DEFAULT_MAX_HOLD, checks: DEFAULT_CHECKS },
    } as Record<string, unknown>,
  };
}

/** forum v1 and v2 in the simulator, load from webapp (a fifth with the internal cohort header); v2 calls `calls` on every request. */
export function putForum(sim: SimulatorClient, ns: string, calls: string[], errorRatio = 0) {
  return sim.putService(ns, 'forum', {
    versions: [
      { name: 'v1', labels: { app: 'forum', version: 'v1' } },
      { name: 'v2', labels: { app: 'forum', version: 'v2' }, profile: { errorRatio, outbound: calls.map((host) => ({ host, share: 1 })) } },
    ],
    load: { requestsPerSecond: 40, from: `${ns}/webapp`, headers: [{ name: 'x-istio-cohort', value: 'internal', share: 0.2 }] },
  });
}
