// One HTTPRoute release in commit mode: the HTTPRoute release fixture's namespace, simulator services
// and spec, but the route lives in a manifest file of a real bare git repository that a sync loop
// playing Argo CD applies to the API server (where the simulator routes by it and writes its status).
import { safeYaml } from '../../../src/yaml/safe-yaml.ts';
import { waitFor } from '../../env/cluster.ts';
import { startCommitSync, writeCommitSpec, type CommitOptions, type CommitRelease } from './commit-fixture.ts';
import { initialRoute, newRouteRelease, readRoute, routeSpecDocument, type RouteRelease } from './http-route-release.ts';

export type CommitRouteRelease = RouteRelease & Pick<CommitRelease, 'remote' | 'loop' | 'controller'>;

/** The manifest file as a team keeps it: a comment, then the HTTPRoute. */
export function routeFile(ns: string): string {
  return `# catalog routing: synced by the GitOps controller; istio-canary edits the main rule.\n${safeYaml(initialRoute(ns))}`;
}

export async function newCommitRouteRelease(prefix: string, options: CommitOptions = {}): Promise<CommitRouteRelease> {
  const release = await newRouteRelease(prefix, 'sidecar', options.spec, { createRoute: false });
  const sync = await startCommitSync(release, routeFile(release.ns), options);
  const stored = await waitFor(() => readRoute(release).catch(() => undefined), { timeoutMs: 20_000, what: `${release.ns}: the controller's first sync` });
  writeCommitSpec(release.specFile, routeSpecDocument(release.ns, 'sidecar', options.spec ?? {}), sync, options);
  return { ...release, ...sync, initialRoute: stored };
}
