// Commit mode's routing port, wired from the spec: the branch store (git to any remote, or GitHub's
// API for verified commits), the managed objects' files (the routing backend says which objects a
// release reads), commit messages from the state, and the sync wait that says when a commit is in
// effect. Loaded only in commit mode.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Logger, RoutingPort } from '../core/ports.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, InputError } from '../errors.ts';
import { describeRef } from '../plan/objects.ts';
import type { BranchStore } from '../gitops/branch-store.ts';
import { describeSyncSource } from '../gitops/sync-settings.ts';
import { backendFor } from '../routing/registry.ts';
import type { CanarySpec, CommitSpec } from '../spec/types.ts';
import { GitRouting, type GitRoutingOptions, type ObjectLocation } from '../adapters/git-routing.ts';
import { syncWaiter } from '../adapters/sync-waiter.ts';
import { commitMessageFor, isRollbackState, type RunIdentity } from './commit-messages.ts';

export interface CommitRoutingOptions {
  spec: CanarySpec & { commit: CommitSpec };
  /** The action pushes through GitHub's API by default, the CLI with git. */
  entry: 'action' | 'cli';
  kubeconfig?: string;
  kubeconfigPath?: string;
  /** The action's token and repository, for `push: github`. */
  github?: { token?: string; repository?: string; apiUrl?: string };
  run: RunIdentity;
  clock: Clock;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Told the SHA of each commit pushed (the action's output). */
  onCommit?: (sha: string) => void;
}

export interface CommitRouting {
  routing: RoutingPort;
  close(): void;
}

export async function createCommitRouting(options: CommitRoutingOptions): Promise<CommitRouting> {
  const { spec, log } = options;
  const commit = spec.commit;
  const store = await branchStore(options);
  const needsCluster = commit.sync.source.kind !== 'fixed';
  const cluster = needsCluster ? (await import('../adapters/kubeconfig.ts')).loadKubeconfig({ kubeconfig: options.kubeconfig, kubeconfigPath: options.kubeconfigPath, env: options.env }) : undefined;
  const kc = cluster?.kc;
  const routing = new GitRouting({
    store,
    locations: locationsOf(spec),
    createIn: commit.file,
    message: (change) => commitMessageFor(spec, change, options.run),
    isRollback: (object) => isRollbackState(spec, object),
    warn: (message) => log.warning(message),
    waitApplied: syncWaiter({ settings: commit.sync, ...(kc ? { kc } : {}), store, clock: options.clock, log }),
    ...(cluster ? await clusterReads(cluster, log, spec.acceptanceTimeout) : {}),
    onCommit: (write, change) => {
      const what = `${change.operation} ${change.ref.kind} ${change.ref.namespace}/${change.ref.name}`;
      if (write.kind === 'unchanged') {
        log.info(`No commit for ${what}: ${store.description} already has it (at ${write.head.slice(0, 12)})`);
        return;
      }
      log.info(`Committed ${write.oid.slice(0, 12)} to ${store.description}: ${what}${write.attempts > 1 ? ` (after ${write.attempts - 1} lost race${write.attempts > 2 ? 's' : ''})` : ''}`);
      options.onCommit?.(write.oid);
    },
  });
  if (!cluster && spec.routing === 'httpRoute') {
    log.warning(`Commit mode without cluster access (${describeSyncSource(commit.sync.source)}): other HTTPRoutes attached to the route's parents were checked only as far as the repository's files (${commit.file} and the spec's files) hold them; routes only in the cluster were not checked for taking the cohort`);
  }
  log.info(`Commit mode: routing goes to ${store.description}; a stage bakes once ${describeSyncSource(commit.sync.source)} shows its commit in effect`);
  return { routing, close: () => (store as { close?: () => void }).close?.() };
}

/** What commit mode reads from the cluster when it has access: whether Istio accepted an HTTPRoute
 * once synced (its generation's status, waited for up to spec.acceptanceTimeout), and the other HTTPRoutes of the namespace, which compete
 * with ours on shared parents (the precedence proof) whether or not the repository holds them. */
async function clusterReads(cluster: { kc: KubeConfig; server: string }, log: Logger, acceptanceTimeoutMs: number | undefined): Promise<Pick<GitRoutingOptions, 'acceptedInCluster' | 'alsoInCluster' | 'neverInEffectInCluster'>> {
  const { kubernetesRouting } = await import('../adapters/kubernetes.ts');
  const live = kubernetesRouting(cluster.kc, cluster.server, { log, ...(acceptanceTimeoutMs !== undefined ? { acceptanceTimeoutMs } : {}) });
  return {
    acceptedInCluster: async (ref, signal) => {
      if (ref.kind !== 'HTTPRoute') return;
      const applied = await live.get(ref);
      if (applied === undefined) throw new ClusterError(`${describeRef(ref)} is not in the cluster although its commit was synced`);
      await live.accepted(ref, applied, signal);
    },
    alsoInCluster: { kinds: ['HTTPRoute'], list: (kind, labels) => live.list(kind, labels) },
    neverInEffectInCluster: (objects) => live.neverInEffect(objects),
  };
}

/** Where each object the release reads lives: `files` names some, `file` holds the rest. Objects a
 * release creates without reading them first (its ServiceEntries) go where `files` names them
 * (`ServiceEntry/egress-api.example.com: path`), else to `file`. */
export function locationsOf(spec: CanarySpec & { commit: CommitSpec }): ObjectLocation[] {
  const read: ObjectLocation[] = backendFor(spec)
    .reads(spec)
    .map(({ ref, ifMissing }) => ({
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
      file: spec.commit.files[`${ref.kind}/${ref.name}`] ?? spec.commit.file,
      required: ifMissing !== undefined,
    }));
  const placed = Object.entries(spec.commit.files).flatMap(([object, file]) => {
    const slash = object.indexOf('/');
    const kind = object.slice(0, slash);
    const name = object.slice(slash + 1);
    if (slash <= 0 || read.some((l) => l.kind === kind && l.name === name)) return [];
    return [{ kind, namespace: spec.namespace, name, file }];
  });
  return [...read, ...placed];
}

async function branchStore(options: CommitRoutingOptions): Promise<BranchStore> {
  const commit = options.spec.commit;
  const push = commit.push ?? (options.entry === 'action' ? 'github' : 'git');
  if (push === 'github') {
    const github = options.github ?? {};
    const target = githubRepository(commit.repository) ?? github.repository;
    if (!github.token) throw new InputError({ path: 'github-token', message: 'commit mode with `push: github` needs a token with contents: write (the input github-token, default the workflow token)' });
    const [owner, repo] = (target ?? '').split('/');
    if (!owner || !repo) throw new InputError({ file: options.spec.source.file, path: 'spec.commit.repository', message: 'with `push: github`, expected the checkout of a GitHub repository (GITHUB_REPOSITORY) or a github.com URL' });
    const { getOctokit } = await import('@actions/github');
    const { GitHubBranchStore } = await import('../adapters/github-commit.ts');
    return new GitHubBranchStore({ octokit: getOctokit(github.token, github.apiUrl ? { baseUrl: github.apiUrl } : {}), owner, repo, branch: commit.branch });
  }
  const { GitBranchStore } = await import('../adapters/git.ts');
  const checkout = isCheckout(commit.repository) ? commit.repository : undefined;
  return GitBranchStore.open({ remote: checkout ? 'origin' : commit.repository, branch: commit.branch, ...(checkout ? { checkout } : {}) });
}

/** `owner/repo` of a github.com URL, else undefined. */
function githubRepository(repository: string): string | undefined {
  const match = /^(?:https:\/\/github\.com\/|git@github\.com:)([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(repository);
  return match ? `${match[1]}/${match[2]}` : undefined;
}

/** A work tree of a git repository (a `.git` directory or file), as opposed to a bare repository or a URL. */
function isCheckout(repository: string): boolean {
  return existsSync(repository) && statSync(repository).isDirectory() && existsSync(join(repository, '.git'));
}
