// Helpers for e2e tests against the local API server: a client from the mesh env, a namespace per
// test, and reads/writes of Istio objects through CustomObjectsApi.

import { randomBytes } from 'node:crypto';
import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { inject } from 'vitest';
import type { MeshEnv } from './mesh.ts';

export { waitFor, type WaitOptions } from './wait.ts';

/** The env that global setup provided. */
export function meshEnv(): MeshEnv {
  return inject('mesh');
}

export function kubeConfig(env: MeshEnv = meshEnv()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  return kc;
}

/**
 * A namespace name no other test uses. The API server needs no Namespace object for namespaced
 * objects (NamespaceLifecycle is off), so they can be created in it without creating it first.
 */
export function uniqueNamespace(prefix = 'test'): string {
  const safe = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40).replace(/^-+|-+$/g, '');
  return `${safe || 'test'}-${randomBytes(4).toString('hex')}`;
}

export const ISTIO_NETWORKING_GROUP = 'networking.istio.io';

const PLURALS = {
  VirtualService: 'virtualservices',
  DestinationRule: 'destinationrules',
  ServiceEntry: 'serviceentries',
  Sidecar: 'sidecars',
  Gateway: 'gateways',
} as const;

export type IstioKind = keyof typeof PLURALS;

/** A networking.istio.io object as plain data. */
export interface IstioObject {
  apiVersion: string;
  kind: IstioKind;
  metadata: { name: string; namespace: string; resourceVersion?: string; [key: string]: unknown };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface IstioRef {
  kind: IstioKind;
  namespace: string;
  name: string;
  /** API version to read or write through, e.g. v1 or v1beta1. Default v1. */
  version?: string;
}

function target(ref: IstioRef) {
  return {
    group: ISTIO_NETWORKING_GROUP,
    version: ref.version ?? 'v1',
    namespace: ref.namespace,
    plural: PLURALS[ref.kind],
    name: ref.name,
  };
}

function refOf(object: IstioObject): IstioRef {
  const version = object.apiVersion.split('/')[1];
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name, ...(version ? { version } : {}) };
}

/** Server-side apply as `fieldManager`; `force` takes over fields other managers own. */
export async function applyIstio(
  kc: KubeConfig,
  object: IstioObject,
  options: { fieldManager: string; force?: boolean },
): Promise<IstioObject> {
  return (await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
    { ...target(refOf(object)), body: object, fieldManager: options.fieldManager, force: options.force ?? false },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  )) as IstioObject;
}

export async function createIstio(kc: KubeConfig, object: IstioObject): Promise<IstioObject> {
  const { name: _name, ...ref } = target(refOf(object));
  return (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...ref, body: object })) as IstioObject;
}

export async function getIstio(kc: KubeConfig, ref: IstioRef): Promise<IstioObject> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject(target(ref))) as IstioObject;
}

/** PUT: with metadata.resourceVersion set, the server refuses it (409) if the object changed since. */
export async function replaceIstio(kc: KubeConfig, object: IstioObject): Promise<IstioObject> {
  return (await kc.makeApiClient(CustomObjectsApi).replaceNamespacedCustomObject({
    ...target(refOf(object)),
    body: object,
  })) as IstioObject;
}

/** The API server's Status of a failed call: its HTTP code and message. */
export interface ApiFailure {
  code: number;
  reason: string;
  message: string;
}

/** Runs `call`, expecting the API server to refuse it; returns the refusal. */
export async function apiFailure(call: () => Promise<unknown>): Promise<ApiFailure> {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const status = parseStatus(error.body);
    return { code: error.code, reason: status.reason ?? '', message: status.message ?? String(error.body) };
  }
  throw new Error('expected the API server to refuse the call, but it succeeded');
}

function parseStatus(body: unknown): { reason?: string; message?: string } {
  if (typeof body === 'object' && body !== null) return body as { reason?: string; message?: string };
  try {
    return JSON.parse(String(body)) as { reason?: string; message?: string };
  } catch {
    return {};
  }
}

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

const GATEWAY_API_PLURALS = { HTTPRoute: 'httproutes', Gateway: 'gateways', GatewayClass: 'gatewayclasses', ReferenceGrant: 'referencegrants' } as const;

export type GatewayApiKind = keyof typeof GATEWAY_API_PLURALS;

/** A gateway.networking.k8s.io object as plain data. */
export interface GatewayApiObject {
  apiVersion: string;
  kind: GatewayApiKind;
  metadata: { name: string; namespace: string; resourceVersion?: string; generation?: number; [key: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

function gatewayApiTarget(kind: GatewayApiKind, namespace: string, name: string, version = 'v1') {
  return { group: GATEWAY_API_GROUP, version, namespace, plural: GATEWAY_API_PLURALS[kind], name };
}

/** Server-side apply of a Gateway API object as `fieldManager`. */
export async function applyGatewayApi(kc: KubeConfig, object: GatewayApiObject, options: { fieldManager: string; force?: boolean }): Promise<GatewayApiObject> {
  const version = object.apiVersion.split('/')[1] ?? 'v1';
  return (await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
    { ...gatewayApiTarget(object.kind, object.metadata.namespace, object.metadata.name, version), body: object, fieldManager: options.fieldManager, force: options.force ?? false },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  )) as GatewayApiObject;
}

/** Server-side apply of a GatewayClass (cluster-scoped) as `fieldManager`. */
export async function applyGatewayClass(kc: KubeConfig, name: string, controllerName: string, fieldManager: string): Promise<void> {
  const body = { apiVersion: `${GATEWAY_API_GROUP}/v1`, kind: 'GatewayClass', metadata: { name }, spec: { controllerName } };
  await kc
    .makeApiClient(CustomObjectsApi)
    .patchClusterCustomObject({ group: GATEWAY_API_GROUP, version: 'v1', plural: 'gatewayclasses', name, body, fieldManager, force: false }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
}

export async function deleteGatewayClass(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ group: GATEWAY_API_GROUP, version: 'v1', plural: 'gatewayclasses', name });
}

export async function getGatewayApi(kc: KubeConfig, kind: GatewayApiKind, namespace: string, name: string): Promise<GatewayApiObject> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject(gatewayApiTarget(kind, namespace, name))) as GatewayApiObject;
}
