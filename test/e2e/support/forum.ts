// The seed's forum service (chapter 5, outbound traffic), shared by the apply-mode and commit-mode
// egress tests: its canary spec and its two versions in the simulator, v2 calling outside hosts.
import type { SimulatorClient } from '../../sim/client.ts';

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
      analysis: { interval: '2s', checks: [{ name: 'success', type: 'success-rate', min: 95, minRequests: 3 }] },
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
