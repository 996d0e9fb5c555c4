// Wires the real adapters to the engine. Shared by the action and the CLI so both entries stay thin.
import { randomUUID } from 'node:crypto';
import type { CanarySpec } from '../spec/types.ts';
import type { HolderPort, Logger, MetricsPort, ReportPort, RoutingPort } from '../core/ports.ts';
import { InputError } from '../errors.ts';
import type { ReportLinks } from '../report/markdown.ts';
import { prometheusUrlProblem } from '../spec/url.ts';
import { systemClock } from '../adapters/clock.ts';
import { executeCommand, type EngineResult } from '../engine/engine.ts';
import { nullMetrics } from '../engine/memory.ts';
import { reportProgress } from './report.ts';
import type { OutboundMode } from '../report/outbound.ts';

export type ReleaseCommand = 'run' | 'start' | 'advance' | 'promote' | 'abort' | 'status';

export interface ReleaseOptions {
  spec: CanarySpec;
  command: ReleaseCommand;
  kubeconfig?: string;
  kubeconfigPath?: string;
  /** Overrides spec.analysis.prometheus.url. */
  prometheusUrl?: string;
  /** Overrides the token from spec.analysis.prometheus.bearerTokenEnv. */
  prometheusToken?: string;
  holderId?: string;
  runUrl?: string;
  holderTimeoutMs?: number;
  supersede?: boolean;
  forceConflicts?: boolean;
  /** abort: only a rollout this holder drives (the post step). */
  onlyOwnRollout?: boolean;
  log: Logger;
  reports: ReportPort[];
  /** Where the report's next step points (the dispatch form, this run). */
  reportLinks?: ReportLinks;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Which entry runs the release (commit mode pushes through GitHub's API from the action, with git from the CLI). */
  entry?: 'action' | 'cli';
  /** The action's token and repository, for commit mode's `push: github`. */
  github?: { token?: string; repository?: string; apiUrl?: string };
  /** Commit mode: told the SHA of each commit pushed. */
  onCommit?: (sha: string) => void;
}

export async function metricsFor(options: Pick<ReleaseOptions, 'spec' | 'prometheusUrl' | 'prometheusToken' | 'env'>): Promise<MetricsPort> {
  const analysis = options.spec.analysis;
  if (!analysis || analysis.checks.length === 0) return nullMetrics;
  const url = options.prometheusUrl || analysis.prometheus.url;
  if (!url) {
    throw new InputError({
      file: options.spec.source.file,
      path: 'spec.analysis.prometheus.url',
      message: 'the spec has checks but no Prometheus URL: set spec.analysis.prometheus.url or the input prometheus-url',
    });
  }
  const urlProblem = prometheusUrlProblem(url);
  if (urlProblem) {
    const given = options.prometheusUrl
      ? { path: 'prometheus-url (flag --prometheus-url / input prometheus-url)' }
      : { file: options.spec.source.file, path: 'spec.analysis.prometheus.url' };
    throw new InputError({ ...given, message: urlProblem });
  }
  const tokenEnv = analysis.prometheus.bearerTokenEnv;
  const bearerToken = options.prometheusToken || (tokenEnv ? (options.env ?? process.env)[tokenEnv] : undefined);
  if (tokenEnv && !bearerToken) {
    throw new InputError({
      file: options.spec.source.file,
      path: 'spec.analysis.prometheus.bearerTokenEnv',
      message: `environment variable ${tokenEnv} is empty or unset`,
    });
  }
  const { createPrometheusMetrics } = await import('../adapters/prometheus.ts');
  return createPrometheusMetrics({ url, headers: analysis.prometheus.headers, bearerToken });
}

/** A spec with `egress`: the canary's outbound mode, read from the cluster and logged (never fails the command). */
async function outboundModeFor(options: ReleaseOptions): Promise<OutboundMode | undefined> {
  const { spec, log } = options;
  if (!spec.egress || options.command === 'status') return undefined;
  const [{ loadKubeconfig }, { detectOutboundMode }] = await Promise.all([import('../adapters/kubeconfig.ts'), import('../adapters/outbound-policy.ts')]);
  const { kc } = loadKubeconfig({ kubeconfig: options.kubeconfig, kubeconfigPath: options.kubeconfigPath, env: options.env });
  const decision = await detectOutboundMode(kc, { namespace: spec.namespace, labels: spec.canary.labels, ...(spec.egress.mode ? { fallback: spec.egress.mode } : {}) });
  log.info(`${spec.name}: outbound traffic mode ${decision.mode} (${decision.source})`);
  for (const warning of decision.warnings) log.warning(`${spec.name}: ${warning}`);
  return decision;
}

export async function runRelease(options: ReleaseOptions): Promise<EngineResult> {
  // Loaded on demand: @kubernetes/client-node is most of the bundle's start-up time, and plan,
  // input errors and the post step's no-op path never need it.
  // Metrics first: a bad Prometheus URL or token is refused before the cluster is contacted.
  const metrics = options.command === 'status' || options.command === 'abort' || options.command === 'promote' ? nullMetrics : await metricsFor(options);
  const holder = { id: options.holderId ?? `cli-${randomUUID()}`, runUrl: options.runUrl };
  const { routing, holders, close } = await portsFor(options, holder);
  const outbound = await outboundModeFor(options);
  try {
    return await executeCommand(
      {
        spec: options.spec,
        routing,
        holders,
        metrics,
        clock: systemClock,
        log: options.log,
        progress: reportProgress(options.reports, { log: options.log, ...(options.reportLinks ? { links: options.reportLinks } : {}), ...(outbound ? { outbound } : {}) }),
        holder,
        signal: options.signal,
        options: {
          holderTimeoutMs: options.holderTimeoutMs ?? 15 * 60_000,
          supersede: options.supersede ?? false,
          forceConflicts: options.forceConflicts ?? false,
          onlyOwnRollout: options.onlyOwnRollout ?? false,
        },
      },
      options.command,
    );
  } finally {
    close();
  }
}

/** Apply mode writes to the cluster; commit mode commits to the spec's GitOps repository. The holder is
 * a Lease in the cluster either way; commit mode without cluster access (a fixed sync wait) has no
 * Lease to take and relies on the branch head's compare-and-swap alone. */
async function portsFor(options: ReleaseOptions, holder: { id: string; runUrl?: string }): Promise<{ routing: RoutingPort; holders: HolderPort; close: () => void }> {
  const spec = options.spec;
  const kube = { kubeconfig: options.kubeconfig, kubeconfigPath: options.kubeconfigPath, log: options.log };
  if (spec.mode === 'commit' && spec.commit) {
    const { createCommitRouting } = await import('./commit-routing.ts');
    const { routing, close } = await createCommitRouting({
      spec: { ...spec, commit: spec.commit },
      entry: options.entry ?? 'cli',
      kubeconfig: options.kubeconfig,
      kubeconfigPath: options.kubeconfigPath,
      ...(options.github ? { github: options.github } : {}),
      run: { runId: holder.id, ...(holder.runUrl ? { runUrl: holder.runUrl } : {}) },
      clock: systemClock,
      log: options.log,
      ...(options.env ? { env: options.env } : {}),
      ...(options.onCommit ? { onCommit: options.onCommit } : {}),
    });
    if (spec.commit.sync.source.kind === 'fixed') {
      const { MemoryHolders } = await import('../engine/memory-holder.ts');
      return { routing, holders: new MemoryHolders(), close };
    }
    const { createKubernetesHolders } = await import('../adapters/kubernetes-lease.ts');
    return { routing, holders: createKubernetesHolders(kube), close };
  }
  const { createKubernetesRouting } = await import('../adapters/kubernetes.ts');
  const { createKubernetesHolders } = await import('../adapters/kubernetes-lease.ts');
  const acceptance = spec.acceptanceTimeout !== undefined ? { acceptanceTimeoutMs: spec.acceptanceTimeout } : {};
  return { routing: createKubernetesRouting({ ...kube, ...acceptance }), holders: createKubernetesHolders(kube), close: () => {} };
}
