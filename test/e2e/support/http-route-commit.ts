// One HTTPRoute release in commit mode: the HTTPRoute release fixture's namespace, simulator services
// and spec (in a sidecar mesh or behind a waypoint), but the route lives in a manifest file of a real
// bare git repository that a sync loop playing Argo CD applies to the API server (where the simulator
// routes by it and writes its status); plus what commit mode's tests read back.
import { parse as parseYaml } from 'yaml';
import { safeYaml } from '../../../src/yaml/safe-yaml.ts';
import { waitFor } from '../../env/cluster.ts';
import { ROUTING_FILE, startCommitSync, writeCommitSpec, type CommitOptions, type CommitRelease } from './commit-fixture.ts';
import { initialRoute, newRouteRelease, readRoute, routeSpecDocument, routeState, WAYPOINT_STAGES, type RouteRelease } from './http-route-release.ts';
import type { HTTPRoute } from '../../../src/routing/http-route/types.ts';
import type { RolloutStatus } from '../../../src/core/state.ts';
import { STATE_ANNOTATION } from './release-fixture.ts';

export type CommitRouteRelease = RouteRelease & Pick<CommitRelease, 'remote' | 'loop' | 'controller'>;

export type DataPlane = RouteRelease['dataPlane'];

/** The manifest file as a team keeps it: a comment, then the HTTPRoute. */
export function routeFile(ns: string): string {
  return `# catalog routing: synced by the GitOps controller; istio-canary edits the main rule.\n${safeYaml(initialRoute(ns))}`;
}

/** Each stage of a release in `dataPlane` with the default stages: behind a waypoint there is no mirror stage. */
export function stageIds(dataPlane: DataPlane): string[] {
  return dataPlane === 'waypoint' ? ['00-dark-launch', '01-weight-10', '02-weight-50', '03-weight-100'] : ['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100'];
}

/** `file`: the routing file's text for the release's namespace (default routeFile). */
export async function newCommitRouteRelease(prefix: string, dataPlane: DataPlane, options: CommitOptions = {}, file: (ns: string) => string = routeFile): Promise<CommitRouteRelease> {
  const spec = { ...(dataPlane === 'waypoint' ? { stages: WAYPOINT_STAGES } : {}), ...options.spec };
  const release = await newRouteRelease(prefix, dataPlane, spec, { createRoute: false });
  const sync = await startCommitSync(release, file(release.ns), options);
  const stored = await waitFor(() => readRoute(release).catch(() => undefined), { timeoutMs: 20_000, what: `${release.ns}: the controller's first sync` });
  writeCommitSpec(release.specFile, routeSpecDocument(release.ns, dataPlane, spec), sync, options);
  return { ...release, ...sync, initialRoute: stored };
}

/** Subjects of the branch's commits, oldest first. */
export function subjects(release: CommitRouteRelease): string[] {
  return release.remote.bare('log', '--reverse', '--format=%s', 'main').trim().split('\n');
}

/** The route once the controller has applied a commit whose state says `status`. */
export function inClusterWith(release: CommitRouteRelease, status: RolloutStatus): Promise<HTTPRoute> {
  return waitFor(async () => {
    const live = await readRoute(release);
    return routeState(live)?.status === status ? live : undefined;
  }, { timeoutMs: 30_000, what: `${release.ns}: the ${status} state applied by the controller` });
}

/**
 * The manifest file at the branch head is the initial one plus the state annotation: every byte outside
 * the owned rule (the comment, metadata, parents, the foreign rule, key order) is as written, and the
 * owned rule (the file's last) means what it did (a rollback writes the stable backend's weight 1,
 * the Gateway API's default, where the initial file left it out). Returns the annotation lines.
 */
export function assertFileKeptButState(release: CommitRouteRelease): string[] {
  const initial = routeFile(release.ns).split('\n');
  const now = release.remote.show(ROUTING_FILE).split('\n');
  // The state is the one added block: `annotations:` under metadata, with the canary's key.
  const start = now.findIndex((line) => /^ {2}annotations:$/.test(line));
  const end = start < 0 ? -1 : now.findIndex((line, i) => i > start && !line.startsWith('    '));
  const state = start < 0 ? [] : now.slice(start, end);
  const rest = start < 0 ? now : [...now.slice(0, start), ...now.slice(end)];
  const owned = (lines: string[]) => lines.indexOf('    - name: main');
  const ownedRule = (lines: string[]) => {
    const rule = (parseYaml(lines.join('\n')) as HTTPRoute).spec.rules!.find((r) => r.name === 'main')!;
    return { ...rule, backendRefs: rule.backendRefs!.map((b) => ({ ...b, weight: b.weight ?? 1 })) };
  };
  const same = owned(rest) > 0 && rest.slice(0, owned(rest)).join('\n') === initial.slice(0, owned(initial)).join('\n') && JSON.stringify(ownedRule(rest)) === JSON.stringify(ownedRule(initial));
  if (!state.some((line) => line.includes(STATE_ANNOTATION)) || !same) {
    throw new Error(`${release.ns}: ${ROUTING_FILE} differs from the initial file beyond the state annotation:\n--- now\n${now.join('\n')}\n--- initial\n${initial.join('\n')}`);
  }
  return state;
}
