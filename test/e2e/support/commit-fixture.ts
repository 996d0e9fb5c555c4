// One release in commit mode: the release fixture's namespace, simulator service and spec, but the
// VirtualService and DestinationRule live in a manifest file of a real bare git repository, and a sync
// loop playing Argo CD or Flux applies the branch head to the API server (which the simulator routes
// by). The spec is rewritten for commit mode with that repository.
import { writeFileSync } from 'node:fs';
import { safeYaml } from '../../../src/yaml/safe-yaml.ts';
import { waitFor } from '../../env/cluster.ts';
import { startBareRemote, type BareRemote } from '../../support/git-remote.ts';
import { startSyncLoop, type ControllerKind, type Health, type SyncLoop } from '../../support/gitops-controller.ts';
import { initialDestinationRule, newRelease, readVs, specDocument, type Release, type ReleaseOptions } from './release-fixture.ts';

export const ROUTING_FILE = 'apps/catalog/routing.yaml';

export interface CommitRelease extends Release {
  remote: BareRemote;
  loop: SyncLoop;
  controller: { kind: ControllerKind; name: string; namespace: string };
}

export interface CommitOptions extends ReleaseOptions {
  controller?: ControllerKind;
  /** From a new branch head to the controller applying it. */
  syncDelayMs?: number;
  health?: (revision: string) => Health;
  /** spec.commit.sync.timeout (default 60s). */
  syncTimeout?: string;
}

/** The manifest file as a team keeps it: a comment, the DestinationRule, then the VirtualService. */
export function routingFile(release: Pick<Release, 'ns' | 'initialVs'>): string {
  return `# catalog routing: synced to the cluster by the GitOps controller; istio-canary edits the primary route.\n${safeYaml(initialDestinationRule(release.ns))}---\n${safeYaml(release.initialVs)}`;
}

export async function newCommitRelease(prefix: string, options: CommitOptions = {}): Promise<CommitRelease> {
  const release = await newRelease(prefix, { ...options, createVs: false });
  const sync = await startCommitSync(release, routingFile(release), options);
  await waitFor(async () => (await readVs(release).catch(() => undefined)) !== undefined, { timeoutMs: 20_000, what: `${release.ns}: the controller's first sync` });
  writeCommitSpec(release.specFile, specDocument(release.ns, options.spec), sync, options);
  return { ...release, ...sync };
}

type CommitSync = Pick<CommitRelease, 'remote' | 'loop' | 'controller'>;

/** A bare repository holding `file` at ROUTING_FILE and a sync loop applying its branch head to the release's namespace. */
export async function startCommitSync(release: Pick<Release, 'ns' | 'kubeconfig'>, file: string, options: CommitOptions): Promise<CommitSync> {
  const remote = startBareRemote({ [ROUTING_FILE]: file });
  const kind = options.controller ?? 'argocd';
  const controller = { kind, name: 'catalog', namespace: `${kind === 'argocd' ? 'argocd' : 'flux-system'}-${release.ns}`.slice(0, 63) };
  const loop = await startSyncLoop({
    kubeconfig: release.kubeconfig,
    repository: remote.url,
    branch: 'main',
    paths: [ROUTING_FILE],
    namespace: release.ns,
    controller,
    delayMs: options.syncDelayMs ?? 500,
    reconcileDelayMs: 200,
    ...(options.health ? { health: options.health } : {}),
  });
  return { remote, loop, controller };
}

/** Writes the spec document to `specFile` in commit mode, through the repository and controller of `sync`. */
export function writeCommitSpec(specFile: string, spec: Record<string, unknown>, sync: CommitSync, options: Pick<CommitOptions, 'syncTimeout'>): void {
  const document = spec as { spec: Record<string, unknown> };
  document.spec['mode'] = 'commit';
  document.spec['commit'] = {
    repository: sync.remote.url,
    branch: 'main',
    file: ROUTING_FILE,
    sync: { [sync.controller.kind]: { name: sync.controller.name, namespace: sync.controller.namespace }, interval: '200ms', timeout: options.syncTimeout ?? '60s' },
  };
  writeFileSync(specFile, safeYaml(document));
}

export async function disposeCommitRelease(release: CommitRelease): Promise<void> {
  await release.loop.stop();
  release.remote.close();
}
