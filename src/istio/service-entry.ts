// The ServiceEntries a release needs for its outside hosts (spec.egress.hosts), planned from the
// entries that already exist. Pure: (release, declared hosts, live entries) → what to create, what
// to share, what is already there; and, for a rollback, what to give back.
//
// - An entry registers a host for a client when it is exported to the client's namespace and lists
//   the host (exactly, or under a `*.suffix` wildcard) on the port called. Such an entry — ours or
//   anybody's — is reused, never duplicated.
// - Ours carry the label MANAGED_BY and, in the annotation NEEDED_BY, the releases (canary names)
//   that need them. Creating or sharing adds this release; a rollback removes it and deletes the
//   entry only when no release is left. Entries without the label are never written.
// - An entry we create is MESH_EXTERNAL, exported only to the release's namespace, one per host.
import { createHash } from 'node:crypto';
import { isExportedTo as exportedTo } from './export-to.ts';
import { hostPatternMatches as hostMatches } from './hosts.ts';
import { serviceEntryRuleProblems } from './webhook-rules.ts';
import { ISTIO_API_VERSION, type ServiceEntry, type ServicePort } from './types.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'istio-canary';
/** Comma-separated canary names (sorted) of the releases that need the entry. */
export const NEEDED_BY_ANNOTATION = 'istio-canary.dev/egress-needed-by';

export interface EgressPortRequest {
  number: number;
  protocol: string;
  name: string;
}

export interface EgressHostRequest {
  host: string;
  ports: EgressPortRequest[];
  resolution: 'DNS' | 'DNS_ROUND_ROBIN' | 'NONE';
}

export interface EgressRelease {
  /** The canary's name (metadata.name of the spec): the key in NEEDED_BY_ANNOTATION. */
  canary: string;
  namespace: string;
  hosts: EgressHostRequest[];
}

/** What a release does about one declared host. */
export type EntryStep =
  /** A new entry of ours, written before any canary traffic. */
  | { kind: 'create'; host: string; entry: ServiceEntry }
  /** An entry of ours (another release's, or an earlier run's) that gets this release added to NEEDED_BY. */
  | { kind: 'share'; host: string; entry: ServiceEntry; previous: ServiceEntry }
  /** Already covered and nothing to write: someone else's entry, or ours that already names this release. */
  | { kind: 'reuse'; host: string; by: { namespace: string; name: string }; ours: boolean };

export class ServiceEntryConflict extends Error {}

export function isOurs(entry: ServiceEntry): boolean {
  return entry.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

export function neededBy(entry: ServiceEntry): string[] {
  const raw = entry.metadata.annotations?.[NEEDED_BY_ANNOTATION] ?? '';
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function withNeededBy(entry: ServiceEntry, releases: string[]): ServiceEntry {
  const annotations = { ...(entry.metadata.annotations ?? {}), [NEEDED_BY_ANNOTATION]: [...new Set(releases)].sort().join(',') };
  return { ...entry, metadata: { ...entry.metadata, annotations } };
}

/** Our entry's name for a host: `egress-<host>` (`*` spelled `wildcard`), kept within 253 characters with a hash. */
export function serviceEntryName(host: string): string {
  const base = `egress-${host.toLowerCase().replace(/^\*/, 'wildcard').replace(/\.$/, '')}`;
  if (base.length <= 253) return base;
  const hash = createHash('sha256').update(host).digest('hex').slice(0, 10);
  return `${base.slice(0, 242).replace(/[.-]+$/, '')}-${hash}`;
}

/** The entry we would create for one host. */
export function desiredServiceEntry(release: EgressRelease, request: EgressHostRequest): ServiceEntry {
  const ports: ServicePort[] = request.ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol }));
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'ServiceEntry',
    metadata: {
      name: serviceEntryName(request.host),
      namespace: release.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: { [NEEDED_BY_ANNOTATION]: release.canary },
    },
    spec: { hosts: [request.host], ports, location: 'MESH_EXTERNAL', resolution: request.resolution, exportTo: ['.'] },
  };
}

/** Does `entry` register `host` on every port in `ports` for clients in `namespace`? */
export function covers(entry: ServiceEntry, host: string, ports: number[], namespace: string): boolean {
  if (!exportedTo(entry.spec.exportTo, entry.metadata.namespace ?? namespace, namespace)) return false;
  if (!(entry.spec.hosts ?? []).some((pattern) => hostMatches(pattern, host))) return false;
  const listed = new Set((entry.spec.ports ?? []).map((p) => p.number));
  return ports.every((p) => listed.has(p));
}

function refuseIfInvalid(entry: ServiceEntry): void {
  const problems = serviceEntryRuleProblems(entry);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new ServiceEntryConflict(`ServiceEntry ${entry.metadata.namespace}/${entry.metadata.name} would be refused by istiod: ${first.path}: ${first.message}`);
  }
}

/** One step per declared host, in the spec's order. `live` are the ServiceEntries the release's namespace can see. */
export function planServiceEntries(release: EgressRelease, live: ServiceEntry[]): EntryStep[] {
  return release.hosts.map((request) => {
    const ports = request.ports.map((p) => p.number);
    const covering = live.filter((e) => covers(e, request.host, ports, release.namespace));
    // Prefer ours (so a rollback of an earlier release that made it can see this one needs it), then the oldest.
    const ourCover = covering.find(isOurs);
    if (ourCover) {
      const releases = neededBy(ourCover);
      const by = { namespace: ourCover.metadata.namespace ?? release.namespace, name: ourCover.metadata.name };
      if (releases.includes(release.canary)) return { kind: 'reuse', host: request.host, by, ours: true };
      return { kind: 'share', host: request.host, entry: withNeededBy(stripServerFields(ourCover), [...releases, release.canary]), previous: ourCover };
    }
    const theirs = covering[0];
    if (theirs) return { kind: 'reuse', host: request.host, by: { namespace: theirs.metadata.namespace ?? release.namespace, name: theirs.metadata.name }, ours: false };
    const entry = desiredServiceEntry(release, request);
    const clash = live.find((e) => e.metadata.name === entry.metadata.name && (e.metadata.namespace ?? release.namespace) === release.namespace);
    if (clash) {
      throw new ServiceEntryConflict(
        `ServiceEntry ${release.namespace}/${entry.metadata.name} exists but does not register ${request.host} on port(s) ${ports.join(', ')} for namespace ${release.namespace}; add the port(s) to it or rename it, then run again`,
      );
    }
    const exact = live.find((e) => isOurs(e) === false && (e.spec.hosts ?? []).includes(request.host) && exportedTo(e.spec.exportTo, e.metadata.namespace ?? release.namespace, release.namespace));
    if (exact) {
      // Two entries naming one host: istiod merges or picks one, so the new ports might not take effect.
      throw new ServiceEntryConflict(
        `ServiceEntry ${exact.metadata.namespace}/${exact.metadata.name} already registers ${request.host} without port(s) ${ports.filter((p) => !covers(exact, request.host, [p], release.namespace)).join(', ')}; add them to it (a second entry for the same host is not reliable)`,
      );
    }
    refuseIfInvalid(entry);
    return { kind: 'create', host: request.host, entry };
  });
}

/** Server-managed fields a write must not carry back (resourceVersion stays: it guards the write). */
export function stripServerFields(entry: ServiceEntry): ServiceEntry {
  const { managedFields: _m, uid: _u, creationTimestamp: _c, generation: _g, status: _s, ...metadata } = entry.metadata;
  const { status: _status, ...rest } = entry;
  return { ...rest, metadata: metadata as ServiceEntry['metadata'] };
}

/** What a rollback of `canary` does to our entries: drop it from NEEDED_BY; delete an entry nobody else needs. */
export type ReleaseStep = { kind: 'delete'; entry: ServiceEntry } | { kind: 'unshare'; entry: ServiceEntry; previous: ServiceEntry };

export function releaseServiceEntries(canary: string, namespace: string, live: ServiceEntry[]): ReleaseStep[] {
  return live
    .filter((e) => isOurs(e) && (e.metadata.namespace ?? namespace) === namespace && neededBy(e).includes(canary))
    .map((e) => {
      const rest = neededBy(e).filter((r) => r !== canary);
      return rest.length === 0 ? { kind: 'delete', entry: e } : { kind: 'unshare', entry: withNeededBy(stripServerFields(e), rest), previous: e };
    });
}
