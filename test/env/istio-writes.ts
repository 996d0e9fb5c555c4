// The Istio objects written to the test API server, read back from its audit log (apiserver.ts):
// each successful write with the object as stored, in order, and the state of its namespace just
// before and just after it. Dry runs and refused requests changed nothing and are left out.

import { readFileSync } from 'node:fs';

export interface IstioObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec?: unknown;
  [key: string]: unknown;
}

export interface IstioWrite {
  at: string;
  verb: string;
  fieldManager: string | undefined;
  namespace: string;
  kind: string;
  name: string;
  /** The object as stored after the write; undefined for a delete. */
  object: IstioObject | undefined;
  /** Every Istio object of the namespace before and after the write, keyed `kind/name`. */
  before: Map<string, IstioObject>;
  after: Map<string, IstioObject>;
}

interface AuditEvent {
  stage?: string;
  verb?: string;
  requestURI?: string;
  objectRef?: { apiGroup?: string; resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  responseObject?: IstioObject;
  stageTimestamp?: string;
}

const KIND_OF_RESOURCE: Record<string, string> = {
  virtualservices: 'VirtualService',
  destinationrules: 'DestinationRule',
  serviceentries: 'ServiceEntry',
  gateways: 'Gateway',
  sidecars: 'Sidecar',
  envoyfilters: 'EnvoyFilter',
  workloadentries: 'WorkloadEntry',
  workloadgroups: 'WorkloadGroup',
  proxyconfigs: 'ProxyConfig',
};

/** Parses the audit log's JSON lines; a line cut short by a crash is skipped, not fatal. */
export function readAuditEvents(text: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as AuditEvent);
    } catch {
      // A partial last line: the API server was stopped mid-write.
    }
  }
  return events;
}

function succeeded(e: AuditEvent): boolean {
  const code = e.responseStatus?.code ?? 0;
  return e.stage === 'ResponseComplete' && code >= 200 && code < 300 && e.objectRef?.apiGroup === 'networking.istio.io';
}

function query(uri: string | undefined): URLSearchParams {
  const q = uri?.indexOf('?') ?? -1;
  return new URLSearchParams(q < 0 ? '' : uri!.slice(q + 1));
}

/** Without server-populated metadata and status, as a manifest would be written. */
export function asManifest(o: IstioObject): IstioObject {
  const { status: _status, ...rest } = o;
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, selfLink: _s, ...metadata } = o.metadata;
  return { ...rest, metadata } as IstioObject;
}

/** Every successful write in log order, with its namespace's state replayed from the whole log. */
export function istioWrites(events: AuditEvent[]): IstioWrite[] {
  const namespaces = new Map<string, Map<string, IstioObject>>();
  const writes: IstioWrite[] = [];
  for (const e of events) {
    if (!succeeded(e)) continue;
    const q = query(e.requestURI);
    if (q.has('dryRun')) continue;
    const ref = e.objectRef!;
    const kind = KIND_OF_RESOURCE[ref.resource ?? ''] ?? ref.resource ?? '';
    const namespace = ref.namespace ?? 'default';
    const state = namespaces.get(namespace) ?? new Map<string, IstioObject>();
    namespaces.set(namespace, state);
    const before = new Map(state);
    let object: IstioObject | undefined;
    let name = ref.name ?? '';
    if (e.verb === 'delete') {
      state.delete(`${kind}/${name}`);
    } else if (e.verb === 'deletecollection') {
      for (const key of [...state.keys()]) if (key.startsWith(`${kind}/`)) state.delete(key);
    } else if (e.responseObject?.metadata?.name) {
      object = asManifest(e.responseObject);
      name = object.metadata.name;
      state.set(`${kind}/${name}`, object);
    } else {
      continue;
    }
    writes.push({ at: e.stageTimestamp ?? '', verb: e.verb ?? '', fieldManager: q.get('fieldManager') ?? undefined, namespace, kind, name, object, before, after: new Map(state) });
  }
  return writes;
}

export function istioWritesFromFile(path: string): IstioWrite[] {
  return istioWrites(readAuditEvents(readFileSync(path, 'utf8')));
}
