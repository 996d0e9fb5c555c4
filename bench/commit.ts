// Commit mode's figures (issue 9), from releases on the local mesh whose routing lives in a bare git
// repository that a sync loop playing Argo CD applies to the API server:
// - commits per release against the routing changes of the default spec (five stages, the canary
//   subset, the promotion);
// - from the controller applying a stage's commit (the reconcile that reports it Healthy) to that
//   stage's bake starting, in analysis intervals;
// - from a failed check to the rollback commit pushed, in analysis intervals.
// Needs the mesh (`npm run mesh:up`, or it starts it). Run: npx node bench/commit.ts [--releases N]
import { parseArgs } from 'node:util';
import { runRelease } from '../src/app/release.ts';
import type { Logger, ReleaseEvent } from '../src/core/ports.ts';
import type { CanarySpec } from '../src/spec/types.ts';
import { safeYaml } from '../src/yaml/safe-yaml.ts';
import { SimulatorClient } from '../test/sim/client.ts';
import { startBareRemote } from '../test/support/git-remote.ts';
import { startSyncLoop } from '../test/support/gitops-controller.ts';
import { benchNamespace, benchSpec, initialObjects, load, median, meshEnv, putCatalog, removeObjects, SERVICE, sleep } from './release-common.ts';

const { values } = parseArgs({ options: { releases: { type: 'string', default: '2' } } });
const RELEASES = Number(values.releases);
const SETTINGS = { interval: 2_000, bake: 6_000, settle: 300, syncDelayMs: 500, reconcileDelayMs: 200, requestsPerSecond: 60 };
const FILE = 'apps/catalog/routing.yaml';

interface Timeline {
  commits: Array<{ sha: string; at: number }>;
  stageLogs: Array<{ stage: string; at: number }>;
  gateFailed?: number;
  status: string;
  applied: Array<{ revision: string; at: number; reconciledAt?: number }>;
  contains: (descendant: string, ancestor: string) => boolean;
  routingChanges: number;
}

async function oneRelease(fail: boolean): Promise<Timeline> {
  const env = await meshEnv();
  const sim = new SimulatorClient(env.simulatorUrl);
  const namespace = benchNamespace(fail ? 'commit-fail' : 'commit');
  await putCatalog(sim, namespace, SETTINGS.requestsPerSecond);
  const { vs, dr } = initialObjects(namespace);
  const remote = startBareRemote({ [FILE]: `${safeYaml(dr)}---\n${safeYaml(vs)}` });
  const controller = { kind: 'argocd' as const, name: SERVICE, namespace: `argocd-${namespace}` };
  const loop = await startSyncLoop({ kubeconfig: env.kubeconfig, repository: remote.url, branch: 'main', paths: [FILE], namespace, controller, delayMs: SETTINGS.syncDelayMs, reconcileDelayMs: SETTINGS.reconcileDelayMs });
  try {
    while (loop.applied.length === 0) await sleep(50);
    const base = benchSpec(namespace, {
      stages: [
        { kind: 'darkLaunch', headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true, bake: SETTINGS.bake, pause: false },
        { kind: 'mirror', percentage: 100, bake: SETTINGS.bake, pause: false },
        { kind: 'weight', weight: 10, bake: SETTINGS.bake, pause: false },
        { kind: 'weight', weight: 50, bake: SETTINGS.bake, pause: false },
        { kind: 'weight', weight: 100, bake: SETTINGS.bake, pause: false },
      ],
      settle: SETTINGS.settle,
      interval: SETTINGS.interval,
      prometheusUrl: env.prometheusUrl,
    });
    const spec: CanarySpec = {
      ...base,
      mode: 'commit',
      commit: { repository: remote.url, branch: 'main', file: FILE, files: {}, sync: { source: { kind: 'argocd', name: controller.name, namespace: controller.namespace }, timeoutMs: 60_000, pollMs: 100 } },
    };
    const commits: Timeline['commits'] = [];
    const stageLogs: Timeline['stageLogs'] = [];
    let gateFailed: number | undefined;
    const log: Logger = {
      info: (m) => {
        const stage = /^catalog: stage (\S+):/.exec(m)?.[1];
        if (stage) {
          stageLogs.push({ stage, at: Date.now() });
          if (fail && stage === '03-weight-50') void sim.setProfile(namespace, SERVICE, 'v2', { errorRatio: 0.5 });
        }
      },
      warning: () => {},
      error: () => {},
      event: (event: ReleaseEvent) => {
        if (event.kind === 'gate-failed' && gateFailed === undefined) gateFailed = Date.now();
      },
    };
    const result = await runRelease({ spec, command: 'run', kubeconfigPath: env.kubeconfig, log, reports: [], holderId: 'bench-commit', onCommit: (sha) => commits.push({ sha, at: Date.now() }) });
    // Resolved now: the repository is removed when the release is done.
    const ancestry = new Map<string, boolean>();
    for (const a of loop.applied) for (const c of commits) ancestry.set(`${a.revision}>${c.sha}`, isAncestor(c.sha, a.revision));
    const contains = (descendant: string, ancestor: string) => ancestry.get(`${descendant}>${ancestor}`) === true;
    function isAncestor(ancestor: string, descendant: string): boolean {
      try {
        remote.bare('merge-base', '--is-ancestor', ancestor, descendant);
        return true;
      } catch {
        return false;
      }
    }
    // Routing changes of the plan: the canary subset in the DestinationRule, each stage, the promotion
    // (or, failed, the stages entered and the rollback).
    const routingChanges = 1 + stageLogs.length + 1;
    return { commits, stageLogs, ...(gateFailed !== undefined ? { gateFailed } : {}), status: result.status, applied: [...loop.applied], contains, routingChanges };
  } finally {
    await loop.stop();
    remote.close();
    await sim.deleteService(namespace, SERVICE);
    await removeObjects(env, namespace);
  }
}

/** For each stage that started: its commit's first apply by the controller (reconciled) to its bake start. */
function applyToBake(t: Timeline): number[] {
  const out: number[] = [];
  for (const stage of t.stageLogs) {
    const commit = [...t.commits].reverse().find((c) => c.at <= stage.at);
    if (!commit) continue;
    const applied = t.applied.find((a) => a.at >= commit.at && t.contains(a.revision, commit.sha));
    if (!applied) continue;
    out.push((stage.at - (applied.reconciledAt ?? applied.at)) / SETTINGS.interval);
  }
  return out;
}

const happy: Timeline[] = [];
const failed: Timeline[] = [];
for (let i = 0; i < RELEASES; i++) {
  console.error(`release ${i + 1}/${RELEASES} (promoted) ...`);
  happy.push(await oneRelease(false));
  console.error(`release ${i + 1}/${RELEASES} (failed at 50 %) ...`);
  failed.push(await oneRelease(true));
}
const f2 = (x: number) => x.toFixed(2);
const toBake = happy.flatMap(applyToBake);
const rollback = failed.filter((t) => t.gateFailed !== undefined).map((t) => (t.commits.find((c) => c.at >= t.gateFailed!)!.at - t.gateFailed!) / SETTINGS.interval);
console.log(`| figure | value |
|---|---|
| commits per promoted release / routing changes | ${happy.map((t) => `${t.commits.length}/${t.routingChanges}`).join(', ')} |
| commits per failed release / routing changes | ${failed.map((t) => `${t.commits.length}/${t.routingChanges}`).join(', ')} (status ${failed.map((t) => t.status).join(', ')}) |
| controller applied a stage's commit → its bake starts, in intervals (median of ${toBake.length}; max) | ${f2(median(toBake))}; ${f2(Math.max(...toBake))} |
| failed check → rollback commit pushed, in intervals (median of ${rollback.length}; max) | ${f2(median(rollback))}; ${f2(Math.max(...rollback))} |
`);
console.log(`interval ${SETTINGS.interval / 1000} s, bake ${SETTINGS.bake / 1000} s, settle ${SETTINGS.settle} ms, controller delay ${SETTINGS.syncDelayMs} ms + reconcile ${SETTINGS.reconcileDelayMs} ms; load ${load()}`);
