// Reads a world (file or control-API body) into the typed World, filling defaults. Bad input
// gets one InputError naming the file, line, field path and what was expected.

import { LineCounter, parseDocument } from 'yaml';
import { InputError } from '../../src/errors.ts';
import { DEFAULT_SERVICE_PORTS, type DataPlane, type Gateway, type HeaderShare, type Latency, type Load, type OutboundCall, type OutboundMode, type Profile, type Service, type ServicePort, type Version, type World } from './world.ts';

type Path = Array<string | number>;

/** Knows where a field path sits in the source text, when there is one. */
interface Source {
  file: string;
  lineOf(path: Path): number | undefined;
}

function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function fail(src: Source, path: Path, message: string): never {
  throw new InputError({ file: src.file, line: src.lineOf(path), path: formatPath(path), message });
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

function obj(src: Source, v: unknown, path: Path): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(src, path, `expected a mapping, got ${show(v)}`);
  return v as Record<string, unknown>;
}

function str(src: Source, v: unknown, path: Path, fallback?: string): string {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || v === '') fail(src, path, `expected a non-empty string, got ${show(v)}`);
  return v;
}

function num(src: Source, v: unknown, path: Path, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    fail(src, path, `expected a number from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
}

function int(src: Source, v: unknown, path: Path, min: number, max: number, fallback?: number): number {
  const n = num(src, v, path, min, max, fallback);
  if (!Number.isInteger(n)) fail(src, path, `expected a whole number, got ${show(v)}`);
  return n;
}

function list(src: Source, v: unknown, path: Path): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(src, path, `expected a list, got ${show(v)}`);
  return v;
}

function mode(src: Source, v: unknown, path: Path, fallback: OutboundMode): OutboundMode {
  if (v === undefined) return fallback;
  if (v !== 'ALLOW_ANY' && v !== 'REGISTRY_ONLY') fail(src, path, `expected ALLOW_ANY or REGISTRY_ONLY, got ${show(v)}`);
  return v;
}

function labels(src: Source, v: unknown, path: Path): Record<string, string> {
  const o = obj(src, v ?? {}, path);
  for (const [k, val] of Object.entries(o)) str(src, val, [...path, k]);
  return o as Record<string, string>;
}

function known(src: Source, o: Record<string, unknown>, path: Path, keys: string[]): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) fail(src, [...path, k], `unknown field; expected one of ${keys.join(', ')}`);
  }
}

function namespacedName(src: Source, v: unknown, path: Path): string {
  const s = str(src, v, path);
  if (!/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(s)) fail(src, path, `expected "namespace/name", got ${show(s)}`);
  return s;
}

const DEFAULT_LATENCY: Latency = { medianMs: 20, p99Ms: 80 };

function latency(src: Source, v: unknown, path: Path): Latency {
  if (v === undefined) return { ...DEFAULT_LATENCY };
  const o = obj(src, v, path);
  known(src, o, path, ['medianMs', 'p99Ms']);
  const medianMs = num(src, o.medianMs, [...path, 'medianMs'], 0.001, 3_600_000);
  const p99Ms = num(src, o.p99Ms, [...path, 'p99Ms'], medianMs, 3_600_000, medianMs);
  return { medianMs, p99Ms };
}

function outboundCall(src: Source, v: unknown, path: Path): OutboundCall {
  const o = obj(src, v, path);
  known(src, o, path, ['host', 'port', 'share']);
  return { host: str(src, o.host, [...path, 'host']), port: int(src, o.port, [...path, 'port'], 1, 65535, 80), share: num(src, o.share, [...path, 'share'], 0, 1, 1) };
}

/** A profile, starting from `base` so a control-API body may set only what changes. */
export function readProfile(src: Source, v: unknown, path: Path, base?: Profile): Profile {
  const o = obj(src, v ?? {}, path);
  known(src, o, path, ['errorRatio', 'errorCode', 'latency', 'outbound']);
  return {
    errorRatio: num(src, o.errorRatio, [...path, 'errorRatio'], 0, 1, base?.errorRatio ?? 0),
    errorCode: int(src, o.errorCode, [...path, 'errorCode'], 100, 599, base?.errorCode ?? 500),
    latency: o.latency === undefined && base ? base.latency : latency(src, o.latency, [...path, 'latency']),
    outbound:
      o.outbound === undefined && base
        ? base.outbound
        : list(src, o.outbound, [...path, 'outbound']).map((c, i) => outboundCall(src, c, [...path, 'outbound', i])),
  };
}

function version(src: Source, v: unknown, path: Path, namespace: string, service: string): Version {
  const o = obj(src, v, path);
  known(src, o, path, ['name', 'labels', 'readyReplicas', 'workload', 'workloadNamespace', 'profile']);
  const name = str(src, o.name, [...path, 'name']);
  return {
    name,
    labels: labels(src, o.labels ?? { app: service, version: name }, [...path, 'labels']),
    readyReplicas: int(src, o.readyReplicas, [...path, 'readyReplicas'], 0, 10_000, 1),
    workload: str(src, o.workload, [...path, 'workload'], `${service}-${name}`),
    workloadNamespace: str(src, o.workloadNamespace, [...path, 'workloadNamespace'], namespace),
    profile: readProfile(src, o.profile, [...path, 'profile']),
  };
}

function headerShare(src: Source, v: unknown, path: Path): HeaderShare {
  const o = obj(src, v, path);
  known(src, o, path, ['name', 'value', 'share']);
  const name = str(src, o.name, [...path, 'name']);
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) fail(src, [...path, 'name'], `expected a lowercase header name (RFC 7230 token), got ${show(name)}`);
  return { name, value: str(src, o.value, [...path, 'value']), share: num(src, o.share, [...path, 'share'], 0, 1) };
}

/** Load for one service, starting from `base` so a control-API body may set only what changes. */
export function readLoad(src: Source, v: unknown, path: Path, namespace: string, base?: Load): Load {
  const o = obj(src, v ?? {}, path);
  known(src, o, path, ['requestsPerSecond', 'from', 'port', 'uri', 'headers', 'via', 'paused']);
  let via = base?.via;
  if (o.via === null) via = undefined;
  else if (o.via !== undefined) {
    const g = obj(src, o.via, [...path, 'via']);
    known(src, g, [...path, 'via'], ['gateway', 'host', 'port']);
    via = {
      gateway: namespacedName(src, g.gateway, [...path, 'via', 'gateway']),
      host: str(src, g.host, [...path, 'via', 'host']),
      port: int(src, g.port, [...path, 'via', 'port'], 1, 65535, 80),
    };
  }
  return {
    requestsPerSecond: num(src, o.requestsPerSecond, [...path, 'requestsPerSecond'], 0, 100_000, base?.requestsPerSecond ?? 0),
    from: o.from === undefined ? (base?.from ?? `${namespace}/client`) : namespacedName(src, o.from, [...path, 'from']),
    port: int(src, o.port, [...path, 'port'], 1, 65535, base?.port ?? 80),
    uri: str(src, o.uri, [...path, 'uri'], base?.uri ?? '/'),
    headers:
      o.headers === undefined && base
        ? base.headers
        : list(src, o.headers, [...path, 'headers']).map((h, i) => headerShare(src, h, [...path, 'headers', i])),
    via,
    paused: o.paused === undefined ? (base?.paused ?? false) : o.paused === true,
  };
}

export function readService(src: Source, v: unknown, path: Path): Service {
  const o = obj(src, v, path);
  known(src, o, path, ['namespace', 'name', 'versions', 'load', 'dataPlane', 'ports']);
  const namespace = str(src, o.namespace, [...path, 'namespace']);
  const dataPlane = str(src, o.dataPlane, [...path, 'dataPlane'], 'sidecar');
  if (dataPlane !== 'sidecar' && dataPlane !== 'waypoint') fail(src, [...path, 'dataPlane'], `expected \`sidecar\` or \`waypoint\`, got ${show(dataPlane)}`);
  const name = str(src, o.name, [...path, 'name']);
  const versions = list(src, o.versions, [...path, 'versions']).map((x, i) => version(src, x, [...path, 'versions', i], namespace, name));
  const seen = new Set<string>();
  versions.forEach((ver, i) => {
    if (seen.has(ver.name)) fail(src, [...path, 'versions', i, 'name'], `duplicate version ${show(ver.name)}`);
    seen.add(ver.name);
  });
  const ports = o.ports === undefined ? DEFAULT_SERVICE_PORTS.map((p) => ({ ...p })) : servicePorts(src, o.ports, [...path, 'ports']);
  return { namespace, name, ports, versions, load: readLoad(src, o.load, [...path, 'load'], namespace), dataPlane: dataPlane as DataPlane };
}

/** A Service's ports: at least one, names and numbers unique (as Kubernetes validates them). */
function servicePorts(src: Source, v: unknown, path: Path): ServicePort[] {
  const ports = list(src, v, path).map((x, i) => {
    const o = obj(src, x, [...path, i]);
    known(src, o, [...path, i], ['name', 'port', 'targetPort']);
    const port = int(src, o.port, [...path, i, 'port'], 1, 65535);
    return { name: str(src, o.name, [...path, i, 'name'], `http-${port}`), port, targetPort: int(src, o.targetPort, [...path, i, 'targetPort'], 1, 65535, port) };
  });
  if (ports.length === 0) fail(src, path, 'expected at least one port');
  ports.forEach((p, i) => {
    if (ports.findIndex((q) => q.name === p.name) !== i) fail(src, [...path, i, 'name'], `duplicate port name ${show(p.name)}`);
    if (ports.findIndex((q) => q.port === p.port) !== i) fail(src, [...path, i, 'port'], `duplicate port ${p.port}`);
  });
  return ports;
}

function gateway(src: Source, v: unknown, path: Path): Gateway {
  const o = obj(src, v, path);
  known(src, o, path, ['id', 'workload', 'workloadNamespace']);
  return {
    id: namespacedName(src, o.id, [...path, 'id']),
    workload: str(src, o.workload, [...path, 'workload'], 'istio-ingressgateway'),
    workloadNamespace: str(src, o.workloadNamespace, [...path, 'workloadNamespace'], 'istio-system'),
  };
}

export function readWorld(src: Source, v: unknown): World {
  const o = obj(src, v ?? {}, []);
  known(src, o, [], ['clusterDomain', 'outboundTrafficPolicy', 'namespacePolicies', 'services', 'gateways']);
  const policies = obj(src, o.namespacePolicies ?? {}, ['namespacePolicies']);
  const services = list(src, o.services, ['services']).map((s, i) => readService(src, s, ['services', i]));
  const keys = new Set<string>();
  services.forEach((s, i) => {
    const key = `${s.namespace}/${s.name}`;
    if (keys.has(key)) fail(src, ['services', i], `duplicate service ${show(key)}`);
    keys.add(key);
  });
  return {
    clusterDomain: str(src, o.clusterDomain, ['clusterDomain'], 'cluster.local'),
    outboundTrafficPolicy: mode(src, o.outboundTrafficPolicy, ['outboundTrafficPolicy'], 'ALLOW_ANY'),
    namespacePolicies: Object.fromEntries(
      Object.entries(policies).map(([ns, m]) => [ns, mode(src, m, ['namespacePolicies', ns], 'ALLOW_ANY')]),
    ),
    services,
    gateways: list(src, o.gateways, ['gateways']).map((g, i) => gateway(src, g, ['gateways', i])),
  };
}

/** A source for YAML or JSON text (JSON is YAML), with line numbers. */
export function textSource(file: string, text: string): { source: Source; value: unknown } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new InputError({ file, line: e.linePos?.[0]?.line, path: '', message: `not valid YAML or JSON: ${e.message.split('\n')[0]}` });
  }
  const lineOf = (path: Path): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { source: { file, lineOf }, value: doc.toJS() };
}

/** A source for an already-parsed JSON body (control API): paths, no lines. */
export function bodySource(label: string): Source {
  return { file: label, lineOf: () => undefined };
}

export function parseWorldText(file: string, text: string): World {
  const { source, value } = textSource(file, text);
  return readWorld(source, value);
}
