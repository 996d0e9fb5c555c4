// Apply mode's holder port: one coordination.k8s.io/v1 Lease per canary in its namespace, named
// `istio-canary.<canary>`. Renewing it is a write of the Lease, never of the routing. Writes are
// guarded like the routing's: update by resourceVersion, create only when none exists, so a run
// that lost the race gets a ConflictError. The Lease's own fields say the same for kubectl readers
// (holderIdentity, renewTime, leaseDurationSeconds); the run URL is an annotation.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { HolderPort, HolderRecord, Logger } from '../core/ports.ts';
import type { Holder } from '../core/state.ts';
import { ClusterError, ConflictError, describeError } from '../errors.ts';
import { isTransient, serverMessage, statusOf, transientReason, withSignal, type SharedDispatcher } from './kubernetes.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { RetriesExhausted, withRetries } from './retry.ts';

const GROUP = 'coordination.k8s.io';
const VERSION = 'v1';
const PLURAL = 'leases';
export const RUN_URL_ANNOTATION = 'istio-canary.dev/run-url';

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** The Lease of a canary's rollout. Canary names are DNS labels, so the name is a valid object name. */
export function leaseName(canary: string): string {
  return `istio-canary.${canary}`.slice(0, 253);
}

/** MicroTime as the API server writes it: RFC 3339 with six fractional digits. */
function microTime(iso: string): string {
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The Lease that records `holder` (none: released), keeping what the previous one said otherwise. */
export function leaseOf(namespace: string, canary: string, holder: Holder | undefined, previous: Lease | undefined, timeoutMs: number): Lease {
  const spec: NonNullable<Lease['spec']> = { leaseDurationSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) };
  const before = previous?.spec?.holderIdentity;
  if (holder) {
    spec.holderIdentity = holder.id;
    spec.renewTime = microTime(holder.renewedAt);
    spec.acquireTime = before === holder.id && previous?.spec?.acquireTime ? previous.spec.acquireTime : spec.renewTime;
  }
  const transitions = previous?.spec?.leaseTransitions ?? 0;
  spec.leaseTransitions = holder && before !== undefined && before !== holder.id ? transitions + 1 : transitions;
  const { [RUN_URL_ANNOTATION]: _old, ...annotations } = previous?.metadata.annotations ?? {};
  if (holder?.runUrl) annotations[RUN_URL_ANNOTATION] = holder.runUrl;
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Lease',
    metadata: {
      ...previous?.metadata,
      name: leaseName(canary),
      namespace,
      labels: { ...previous?.metadata.labels, 'app.kubernetes.io/managed-by': 'istio-canary' },
      annotations,
    },
    spec,
  };
}

/** The holder a Lease records; none when it names nobody or its renew time is not a time. */
export function holderOf(lease: Lease): Holder | undefined {
  const id = lease.spec?.holderIdentity;
  const renewed = Date.parse(lease.spec?.renewTime ?? '');
  if (!id || Number.isNaN(renewed)) return undefined;
  const runUrl = lease.metadata.annotations?.[RUN_URL_ANNOTATION];
  return { id, ...(runUrl ? { runUrl } : {}), renewedAt: new Date(renewed).toISOString() };
}

export function createKubernetesHolders(options: { kubeconfig?: string; kubeconfigPath?: string; env?: NodeJS.ProcessEnv; fieldManager?: string; deadlineMs?: number; log?: Logger }): HolderPort {
  const { kc, server } = loadKubeconfig({ kubeconfig: options.kubeconfig, kubeconfigPath: options.kubeconfigPath, env: options.env });
  return kubernetesHolders(kc, server, options);
}

export function kubernetesHolders(kc: KubeConfig, server: string, options: { fieldManager?: string; deadlineMs?: number; log?: Logger } = {}): HolderPort {
  const api = kc.makeApiClient(CustomObjectsApi);
  const fieldManager = options.fieldManager ?? 'istio-canary';
  const deadlineMs = options.deadlineMs ?? 30_000;
  const shared: SharedDispatcher = {};
  /** The Lease last read or written, per name: a write keeps what it said besides the holder. */
  const known = new Map<string, Lease>();

  async function call<T>(doing: string, request: (signal: AbortSignal) => Promise<unknown>): Promise<T> {
    try {
      return (await withRetries((remainingMs) => request(AbortSignal.timeout(remainingMs)), {
        deadlineMs,
        isTransient,
        onRetry: (error, attempt, delayMs) => options.log?.warning(`${doing} on ${server}: attempt ${attempt} failed (${transientReason(error)}); retrying in ${Math.round(delayMs)}ms`),
      })) as T;
    } catch (e) {
      if (e instanceof RetriesExhausted) {
        throw new ClusterError(`Could not reach the Kubernetes API server at ${server} while ${doing}: ${transientReason(e.lastError)}`, { cause: e.lastError, status: statusOf(e.lastError) });
      }
      throw refusal(e, doing, server);
    }
  }

  async function read(namespace: string, canary: string): Promise<HolderRecord> {
    const name = leaseName(canary);
    try {
      const lease = await call<Lease>(`reading Lease ${namespace}/${name}`, (signal) =>
        api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name }, withSignal(signal, shared)),
      );
      known.set(`${namespace}/${name}`, lease);
      const holder = holderOf(lease);
      return { ...(holder ? { holder } : {}), version: lease.metadata.resourceVersion };
    } catch (e) {
      if (statusOf((e as Error).cause) === 404) return {};
      throw e;
    }
  }

  async function write(namespace: string, canary: string, holder: Holder | undefined, version: string | undefined, timeoutMs: number): Promise<HolderRecord> {
    const name = leaseName(canary);
    const previous = known.get(`${namespace}/${name}`);
    const body = leaseOf(namespace, canary, holder, version === undefined ? undefined : previous, timeoutMs);
    const target = { group: GROUP, version: VERSION, namespace, plural: PLURAL, fieldManager };
    let stored: Lease;
    if (version === undefined) {
      const { resourceVersion: _none, ...metadata } = body.metadata;
      stored = await call<Lease>(`creating Lease ${namespace}/${name}`, (signal) => api.createNamespacedCustomObject({ ...target, body: { ...body, metadata } }, withSignal(signal, shared)));
    } else {
      const guarded = { ...body, metadata: { ...body.metadata, resourceVersion: version } };
      stored = await call<Lease>(`updating Lease ${namespace}/${name}`, (signal) => api.replaceNamespacedCustomObject({ ...target, name, body: guarded }, withSignal(signal, shared)));
    }
    known.set(`${namespace}/${name}`, stored);
    const recorded = holderOf(stored);
    return { ...(recorded ? { holder: recorded } : {}), version: stored.metadata.resourceVersion };
  }

  return { read, write };
}

/** A refusal from the server as one of our errors; 409 (and 404 on update: deleted since) is a lost race. */
function refusal(error: unknown, doing: string, server: string): unknown {
  const status = statusOf(error);
  if (status === undefined) return new ClusterError(`Failed ${doing} on ${server}: ${describeError(error)}`, { cause: error });
  const message = serverMessage(error);
  if (status === 409 || (status === 404 && doing.startsWith('updating'))) {
    return new ConflictError(`Conflict ${doing}: ${message}. Another run wrote it since it was read.`, { cause: error, status });
  }
  if (status === 401 || status === 403) {
    return new ClusterError(
      `Not allowed ${doing} on ${server} (HTTP ${status}): ${message}. The credentials need get, create and update on ${GROUP} leases in that namespace (the record of which run drives a rollout).`,
      { cause: error, status },
    );
  }
  return new ClusterError(`Failed ${doing} on ${server} (HTTP ${status}): ${message}`, { cause: error, status });
}
