// Apply mode's routing port: objects of any custom resource kind (VirtualService, DestinationRule,
// HTTPRoute...) read and written through the Kubernetes API. Writes are whole-object and guarded by
// resourceVersion (PUT) or by existence (POST), always under our field manager, so a concurrent change
// is a ConflictError the engine answers by re-reading and re-planning; a write is in effect once it
// reads back as written. SDK errors are converted here, naming the object and what was being done.
import { ApiException, CustomObjectsApi, Observable, type ConfigurationOptions, type KubeConfig, type ObservableMiddleware, type RequestContext } from '@kubernetes/client-node';
import type { ListedKind, Logger, ObjectRef, RoutingObject, RoutingPort } from '../core/ports.ts';
import { checkReadBack } from '../core/stored.ts';
import { ClusterError, ConflictError, describeError } from '../errors.ts';
import { objectProblem } from '../istio/object-ref.ts';
import { describeRef } from '../plan/objects.ts';
import { routeAcceptance } from '../routing/http-route/acceptance.ts';
import { gatewayParents, keyText, parentsNotServed, type GatewayFacts, type GatewayKey, type Lookup, type NotServed } from '../routing/http-route/istio-parents.ts';
import type { HTTPRoute } from '../routing/http-route/types.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { awaitAccepted, DEFAULT_ACCEPTANCE_TIMEOUT_MS } from './http-route-acceptance.ts';
import { FIELD_MANAGER, routeOwner } from './kubernetes-owner.ts';
import { RetriesExhausted, withRetries } from './retry.ts';

export interface KubernetesRoutingOptions {
  /** Kubeconfig file contents (input); the caller masks it. */
  kubeconfig?: string;
  kubeconfigPath?: string;
  /** Time for one operation including retries of transient errors, ms. Default 30 s. */
  deadlineMs?: number;
  log?: Logger;
  /** Environment for KUBECONFIG and in-cluster detection; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long an HTTPRoute write may wait for Istio to accept it, ms (spec.acceptanceTimeout). Default 2 min. */
  acceptanceTimeoutMs?: number;
}

/** The API path parts of a kind: group and version from its apiVersion, the resource name guessed from
 * the kind the way kubectl does without discovery (VirtualService → virtualservices, ServiceEntry →
 * serviceentries, Gateway → gateways). */
export function resourceOf(ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace'>) {
  const [group = '', version = ''] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion];
  const kind = ref.kind.toLowerCase();
  // A consonant before the y: policy → policies; a vowel: gateway → gateways.
  const plural = kind.endsWith('s') ? `${kind}es` : /[^aeiou]y$/.test(kind) ? `${kind.slice(0, -1)}ies` : `${kind}s`;
  return { group, version, namespace: ref.namespace, plural };
}

export function createKubernetesRouting(options: KubernetesRoutingOptions = {}): RoutingPort {
  const { kc, server, origin } = loadKubeconfig({ kubeconfig: options.kubeconfig, kubeconfigPath: options.kubeconfigPath, env: options.env });
  options.log?.info(`Kubernetes API server ${server} (credentials from ${origin})`);
  return kubernetesRouting(kc, server, options);
}

/** The routing port, and Istio's acceptance of an HTTPRoute as stored (commit mode waits for it after a sync). */
export interface KubernetesRouting extends RoutingPort {
  /** The route once Istio accepted `record`'s generation on every parent it serves (NotInEffectError otherwise). */
  accepted(ref: ObjectRef, record: RoutingObject, signal?: AbortSignal): Promise<RoutingObject>;
  neverInEffect(objects: readonly RoutingObject[]): Promise<{ path: string; message: string } | undefined>;
}

const GATEWAY_API = 'gateway.networking.k8s.io/v1';

/** The port over an already loaded KubeConfig (tests, and callers that share one). */
export function kubernetesRouting(kc: KubeConfig, server: string, options: Pick<KubernetesRoutingOptions, 'deadlineMs' | 'log' | 'acceptanceTimeoutMs'> = {}): KubernetesRouting {
  const api = kc.makeApiClient(CustomObjectsApi);
  const deadlineMs = options.deadlineMs ?? 30_000;
  const shared: SharedDispatcher = {};

  /** Runs one API call with retries. */
  async function call<T>(action: Action, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await withRetries((remainingMs) => request(AbortSignal.timeout(remainingMs)), {
        deadlineMs,
        isTransient,
        onRetry: (error, attempt, delayMs) =>
          options.log?.warning(`${action.verb} ${action.object} on ${server}: attempt ${attempt} failed (${transientReason(error, action)}); retrying in ${Math.round(delayMs)}ms`),
      });
    } catch (e) {
      if (e instanceof RetriesExhausted) {
        throw new ClusterError(
          `Could not reach the Kubernetes API server at ${server} while ${action.verb} ${action.object} (${e.attempts} attempt${e.attempts === 1 ? '' : 's'} in ${Math.max(1, Math.round(deadlineMs / 1000))}s): ${transientReason(e.lastError, action)}. Check that the cluster is up and the kubeconfig points at it.`,
          { cause: e.lastError, status: statusOf(e.lastError) },
        );
      }
      throw e;
    }
  }

  async function get<T extends RoutingObject>(ref: ObjectRef): Promise<T | undefined> {
    const action: Action = { verb: 'reading', object: describeRef(ref), apiVersion: ref.apiVersion };
    try {
      return (await call(action, (signal) => api.getNamespacedCustomObject({ ...resourceOf(ref), name: ref.name }, withSignal(signal, shared)))) as T;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw refusal(e, action, server);
    }
  }

  /** A cluster-scoped object (a GatewayClass), or undefined if it does not exist. */
  async function getClusterScoped(ref: Omit<ObjectRef, 'namespace'>): Promise<RoutingObject | undefined> {
    const action: Action = { verb: 'reading', object: `${ref.kind} ${ref.name}`, apiVersion: ref.apiVersion };
    const { namespace: _none, ...resource } = resourceOf({ ...ref, namespace: '' });
    try {
      return (await call(action, (signal) => api.getClusterCustomObject({ ...resource, name: ref.name }, withSignal(signal, shared)))) as RoutingObject;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw refusal(e, action, server);
    }
  }

  /** Reading a parent is advisory: what cannot be read is waited for, as before. */
  async function lookup<T>(read: () => Promise<T | undefined>): Promise<Lookup<T>> {
    try {
      return (await read()) ?? 'missing';
    } catch {
      return 'unreadable';
    }
  }

  async function gatewayFacts(key: GatewayKey): Promise<GatewayFacts> {
    const gateway = await lookup(() => get({ apiVersion: GATEWAY_API, kind: 'Gateway', ...key }));
    if (gateway === 'missing' || gateway === 'unreadable') return { gateway };
    const className = String((gateway.spec as { gatewayClassName?: unknown } | undefined)?.gatewayClassName ?? '');
    const found = await lookup(() => getClusterScoped({ apiVersion: GATEWAY_API, kind: 'GatewayClass', name: className }));
    const gatewayClass = found === 'missing' || found === 'unreadable' ? found : { controller: String((found.spec as { controllerName?: unknown } | undefined)?.controllerName ?? '') };
    return { gateway: { className }, gatewayClass };
  }

  const warned = new Set<string>();

  /** The route's parents Istio will never report on; with `warn`, each said once per run. */
  async function notServedBy(route: HTTPRoute, warn = true): Promise<NotServed[]> {
    const facts = new Map<string, GatewayFacts>();
    for (const key of gatewayParents(route)) facts.set(keyText(key), await gatewayFacts(key));
    const skipped = parentsNotServed(route, facts);
    if (!warn) return skipped;
    for (const { why } of skipped) {
      if (warned.has(why)) continue;
      warned.add(why);
      options.log?.warning(`HTTPRoute ${route.metadata.namespace}/${route.metadata.name}: not waiting for Istio's acceptance on a parent it does not serve: ${why}`);
    }
    return skipped;
  }

  async function accepted(ref: ObjectRef, record: RoutingObject, signal?: AbortSignal): Promise<RoutingObject> {
    const notServed = await notServedBy(record as unknown as HTTPRoute);
    return awaitAccepted(ref, record, () => get(ref), { timeoutMs: options.acceptanceTimeoutMs ?? DEFAULT_ACCEPTANCE_TIMEOUT_MS, intervalMs: 250, notServed, ...(signal ? { signal } : {}) });
  }

  async function neverInEffect(objects: readonly RoutingObject[]): Promise<{ path: string; message: string } | undefined> {
    for (const object of objects) {
      if (object.kind !== 'HTTPRoute') continue;
      const route = object as unknown as HTTPRoute;
      // Not warned here: the error names them, and the writes' waits warn about the others.
      const acceptance = routeAcceptance(route, await notServedBy(route, false));
      if (acceptance.state === 'unserved') return objectProblem(route, 'spec.parentRefs', `${acceptance.message}; expected a parent Istio serves (nothing was written)`);
    }
    return undefined;
  }

  async function write<T extends RoutingObject>(object: T): Promise<T> {
    const { name, namespace, resourceVersion } = object.metadata;
    if (!namespace) throw new ClusterError(`Cannot write ${object.kind} ${name}: it has no metadata.namespace`);
    const target = { ...resourceOf({ apiVersion: object.apiVersion, kind: object.kind, namespace }), fieldManager: FIELD_MANAGER };
    // managedFields are the server's to compute; sending them back would overwrite its record.
    const { managedFields: _ignored, ...metadata } = object.metadata;
    const body = { ...object, metadata };
    const action: Action = { verb: resourceVersion ? 'updating' : 'creating', object: `${object.kind} ${namespace}/${name}`, apiVersion: object.apiVersion };
    try {
      const stored = resourceVersion
        ? await call(action, (signal) => api.replaceNamespacedCustomObject({ ...target, name, body }, withSignal(signal, shared)))
        : await call(action, (signal) => api.createNamespacedCustomObject({ ...target, body }, withSignal(signal, shared)));
      return stored as T;
    } catch (e) {
      throw refusal(e, action, server);
    }
  }

  async function list(kind: ListedKind, labels: Record<string, string>): Promise<RoutingObject[]> {
    const action: Action = { verb: 'listing', object: `${kind.kind} in ${kind.namespace ?? 'all namespaces'}`, apiVersion: kind.apiVersion };
    // Label values are Kubernetes names (no commas or operators), so the selector is exactly these pairs.
    const labelSelector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    const { namespace, ...resource } = resourceOf({ ...kind, namespace: kind.namespace ?? '' });
    try {
      const answer = await call(action, (signal) =>
        kind.namespace === undefined
          ? api.listClusterCustomObject({ ...resource, labelSelector }, withSignal(signal, shared))
          : api.listNamespacedCustomObject({ ...resource, namespace, labelSelector }, withSignal(signal, shared)),
      );
      return ((answer as { items?: RoutingObject[] }).items ?? []).map((o) => ({ ...o, apiVersion: o.apiVersion ?? kind.apiVersion, kind: o.kind ?? kind.kind }));
    } catch (e) {
      throw refusal(e, action, server);
    }
  }

  async function remove(ref: ObjectRef, resourceVersion: string): Promise<void> {
    const action: Action = { verb: 'deleting', object: describeRef(ref), apiVersion: ref.apiVersion };
    try {
      await call(action, (signal) =>
        api.deleteNamespacedCustomObject({ ...resourceOf(ref), name: ref.name, body: { preconditions: { resourceVersion } } }, withSignal(signal, shared)),
      );
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw refusal(e, action, server);
    }
  }

  /**
   * In effect once the API server has stored it: read back, and if someone wrote after us, the write's
   * answer is the record. An HTTPRoute is in effect once Istio's controller has also accepted it.
   */
  async function applied(ref: ObjectRef, desired: RoutingObject | undefined, stored?: RoutingObject, signal?: AbortSignal): Promise<RoutingObject | undefined> {
    const record = checkReadBack(ref, desired, await get(ref), stored);
    if (record === undefined || ref.kind !== 'HTTPRoute') return record;
    return accepted(ref, record, signal);
  }

  return { get, write, list, delete: remove, applied, owner: routeOwner, accepted, neverInEffect };
}

/** One connection pool per port: @kubernetes/client-node 2.x builds a new undici Agent for every
 * request (`applySecurityAuthentication` → `createDispatcher`), so every call would pay a TCP and TLS
 * handshake. The first request's dispatcher (same cluster, same TLS options: the kubeconfig is loaded
 * once) serves all later ones, keeping their connections alive. */
export interface SharedDispatcher {
  current?: ReturnType<RequestContext['getDispatcher']>;
}

/** Per-call options whose middleware sets `signal` on the request, so it is aborted when the
 * time for the operation is up, and reuses the port's dispatcher. */
export function withSignal(signal: AbortSignal, shared: SharedDispatcher): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      const made = context.getDispatcher();
      if (made !== undefined) {
        shared.current ??= made;
        context.setDispatcher(shared.current);
      }
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** Network failures, timeouts, throttling and server errors are worth another attempt; a
 * configuration problem (bad URL, TLS settings) or a refusal is not. */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 404) return !isNotFoundStatus(error);
  if (status !== undefined) return status === 429 || status >= 500;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return true;
  // Node's fetch fails with TypeError('fetch failed') and the socket error as its cause, and with
  // TypeError('terminated') when the connection drops while the answer is read (a restarting API
  // server). A write retried after that is safe: the engine recognises its own stored write.
  return error instanceof TypeError && (error.message === 'fetch failed' || error.message === 'terminated');
}

/**
 * A 404 means "no such object" only when the API server says so in a Status (reason NotFound).
 * A bare "404 page not found" means the resource type is not served: Istio's CRDs are missing, or
 * an API server that just restarted has not installed their handlers yet — worth waiting for,
 * never a reason to think the VirtualService is gone.
 */
function isNotFoundStatus(error: unknown): boolean {
  if (!(error instanceof ApiException)) return false;
  const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
  return (body as { kind?: unknown; reason?: unknown } | undefined)?.reason === 'NotFound';
}

/** The API server's Status message, or a short text for non-API errors. */
export function serverMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : `HTTP ${error.code}`;
  }
  return describeError(error);
}

/** Why a call may be worth retrying; `action` names the API a 404 without a Status says is not served. */
export function transientReason(error: unknown, action?: Pick<Action, 'apiVersion'>): string {
  if (action && error instanceof ApiException && error.code === 404) {
    return `${action.apiVersion} is not served (HTTP 404 without a Status): are Istio's CRDs installed? networking.istio.io/v1 needs Istio 1.22 or later`;
  }
  if (error instanceof ApiException) return `HTTP ${error.code}: ${serverMessage(error)}`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (error instanceof Error && error.name === 'TimeoutError') return 'the request timed out';
  if (typeof cause?.code === 'string') return cause.code;
  return describeError(error);
}

/** What a call was doing, for messages: "updating VirtualService shop/catalog". */
interface Action {
  verb: 'reading' | 'creating' | 'updating' | 'listing' | 'deleting';
  /** `<kind> <namespace>/<name>` */
  object: string;
  apiVersion: string;
}

/** A permanent refusal from the server, as one of our errors. */
function refusal(error: unknown, action: Action, server: string): unknown {
  if (error instanceof ClusterError) return error;
  const doing = `${action.verb} ${action.object}`;
  const status = statusOf(error);
  if (status === undefined) return new ClusterError(`Failed ${doing} on ${server}: ${describeError(error)}`, { cause: error });
  const message = serverMessage(error);
  // 404 on an update: it was deleted since it was read, which is a conflict like any other change.
  // 409 on a delete: its resourceVersion precondition failed.
  if (status === 409 || (status === 404 && action.verb === 'updating')) {
    return new ConflictError(`Conflict ${doing}: ${message}. It changed since it was read; re-read and re-plan.`, { cause: error, status });
  }
  if (status === 400 || status === 422) {
    return new ClusterError(`The API server rejected ${action.object} while ${action.verb} it: ${message}`, { cause: error, status });
  }
  if (status === 401 || status === 403) {
    return new ClusterError(
      `Not allowed ${doing} on ${server} (HTTP ${status}): ${message}. The credentials need ${verbsFor(action)} on ${resourceText(action)} ${action.object.endsWith(' in all namespaces') ? 'cluster-wide (a ClusterRole)' : 'in that namespace'}.`,
      { cause: error, status },
    );
  }
  return new ClusterError(`Failed ${doing} on ${server} (HTTP ${status}): ${message}`, { cause: error, status });
}

/** The RBAC verbs a release needs for what failed: list and delete only for the objects it created. */
function verbsFor(action: Action): string {
  return action.verb === 'listing' ? 'list' : action.verb === 'deleting' ? 'delete' : 'get, create and update';
}

function resourceText(action: Action): string {
  const kind = action.object.split(' ')[0] ?? '';
  const { group, plural } = resourceOf({ apiVersion: action.apiVersion, kind, namespace: '' });
  return `${group} ${plural}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
