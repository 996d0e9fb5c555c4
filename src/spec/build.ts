// The computed defaults: from a valid raw document to the CanarySpec the rest of the action uses.
import { egressGateCheck } from '../analysis/checks/egress.ts';
import { checkType, ownFields } from '../analysis/checks/registry.ts';
import { parseDuration } from './duration.ts';
import { shortHost } from './names.ts';
import type { RawAnalysis, RawCanaryDocument, RawCheck, RawCommit, RawEgress, RawStage, RawVersion } from './raw.ts';
import type { AnalysisSpec, CanarySpec, CheckSpec, CommitSpec, EgressSpec, StageSpec, SyncSource, VersionRef } from './types.ts';

const BUILTIN_MIN_REQUESTS = 20;

/** Subset `version-<v>` and workload `<short host>-<v>` unless given; semantics.ts made sure one can be derived.
 * A version with its own Service (`host`) is named, and by default measured, by the Service's short name. */
export function versionRef(raw: RawVersion, host: string): VersionRef {
  if (raw.service !== undefined) return serviceVersionRef(raw, raw.service);
  const version = raw.labels?.version;
  const own = raw.host;
  const ref: VersionRef = {
    subset: own !== undefined ? shortHost(own) : (raw.subset ?? `version-${version}`),
    labels: { ...raw.labels },
    workload: raw.workload ?? (own !== undefined && version === undefined ? shortHost(own) : `${shortHost(own ?? host)}-${version}`),
  };
  if (own !== undefined) ref.host = own;
  if (version !== undefined) ref.version = version;
  return ref;
}

/** routing httpRoute: a version is its Service; the workload defaults to the Service's name. */
function serviceVersionRef(raw: RawVersion, service: string): VersionRef {
  const labels = raw.labels ?? {};
  const ref: VersionRef = { service, subset: service, labels: { ...labels }, workload: raw.workload ?? service };
  if (labels.version !== undefined) ref.version = labels.version;
  return ref;
}

function stage(raw: RawStage, defaultBake: number): StageSpec {
  const common = { bake: raw.bake === undefined ? defaultBake : parseDuration(raw.bake), pause: raw.pause };
  if (raw.darkLaunch) return { kind: 'darkLaunch', headers: structuredClone(raw.darkLaunch.headers), keep: raw.darkLaunch.keep, ...common };
  if (raw.mirror) return { kind: 'mirror', percentage: raw.mirror.percentage, ...common };
  return { kind: 'weight', weight: raw.weight!, ...common };
}

function check(raw: RawCheck, failureLimit: number): CheckSpec {
  const type = checkType(raw);
  const out: CheckSpec = {
    name: raw.name,
    type: raw.type,
    compare: raw.compare,
    minRequests: raw.minRequests ?? (type.counted ? BUILTIN_MIN_REQUESTS : 0),
    noData: raw.noData,
    failureLimit: raw.failureLimit ?? failureLimit,
  };
  if (raw.min !== undefined) out.min = raw.min;
  if (raw.max !== undefined) out.max = raw.max;
  const built = { ...out, ...ownFields(type, raw) };
  return type.withDefaults ? type.withDefaults(built) : built;
}

function analysis(raw: RawAnalysis): AnalysisSpec {
  const prometheus: AnalysisSpec['prometheus'] = { headers: { ...raw.prometheus.headers } };
  if (raw.prometheus.url !== undefined) prometheus.url = raw.prometheus.url;
  if (raw.prometheus.bearerTokenEnv !== undefined) prometheus.bearerTokenEnv = raw.prometheus.bearerTokenEnv;
  const out: AnalysisSpec = {
    interval: parseDuration(raw.interval),
    prometheus,
    checks: raw.checks.map((c) => check(c, raw.failureLimit)),
    failureLimit: raw.failureLimit,
    alpha: raw.alpha,
  };
  if (raw.maxHold !== undefined) out.maxHold = parseDuration(raw.maxHold);
  if (raw.strict === true) out.strict = true;
  return out;
}

/** Where a commit is seen in effect: the one source the spec names (semantics.ts allows one), else the live objects. */
function syncSource(sync: RawCommit['sync']): SyncSource {
  if (sync.argocd) return { kind: 'argocd', name: sync.argocd.name, namespace: sync.argocd.namespace ?? 'argocd' };
  if (sync.flux) return { kind: 'flux', name: sync.flux.name, namespace: sync.flux.namespace ?? 'flux-system' };
  if (sync.wait !== undefined) return { kind: 'fixed', waitMs: parseDuration(sync.wait) };
  return { kind: 'live' };
}

function commit(raw: RawCommit): CommitSpec {
  const out: CommitSpec = {
    repository: raw.repository,
    branch: raw.branch,
    file: raw.file,
    files: { ...raw.files },
    sync: { source: syncSource(raw.sync), timeoutMs: parseDuration(raw.sync.timeout), pollMs: parseDuration(raw.sync.interval) },
  };
  if (raw.push !== undefined) out.push = raw.push;
  return out;
}

/** Port names `<protocol>-<number>` and the resolution a host's form calls for, unless given. */
export function egress(raw: RawEgress): EgressSpec {
  const out: EgressSpec = {
    hosts: raw.hosts.map((h) => ({
      host: h.host,
      ports: h.ports.map((p) => ({ number: p.number, protocol: p.protocol, name: p.name ?? `${p.protocol.toLowerCase()}-${p.number}` })),
      resolution: h.resolution ?? (h.host.startsWith('*') ? 'NONE' : 'DNS'),
    })),
    policy: raw.policy,
  };
  if (raw.mode !== undefined) out.mode = raw.mode;
  return out;
}

export function buildCanarySpec(raw: RawCanaryDocument, source: CanarySpec['source']): CanarySpec {
  const s = raw.spec;
  const bake = parseDuration(s.bake);
  // semantics.ts and routing-rules.ts made sure there is a host: the spec's, or the stable version's own
  // Service (VirtualService routing); routing httpRoute has a Service per version.
  const host = s.host ?? s.stable.host ?? s.stable.service ?? '';
  const spec: CanarySpec = {
    name: raw.metadata.name,
    namespace: s.namespace,
    virtualService: s.virtualService ?? '',
    destinationRule: s.destinationRule ?? shortHost(host),
    host,
    stable: versionRef(s.stable, host),
    canary: versionRef(s.canary, host),
    stages: s.stages.map((st) => stage(st, bake)),
    bake,
    settle: parseDuration(s.settle),
    source,
  };
  if (s.route !== undefined) spec.route = s.route;
  // Only what differs from the defaults, so the spec hash of an existing release does not change.
  if (s.routing === 'httpRoute') {
    spec.routing = 'httpRoute';
    if (s.httpRoute !== undefined) spec.httpRoute = { name: s.httpRoute };
    if (s.acceptanceTimeout !== undefined) spec.acceptanceTimeout = parseDuration(s.acceptanceTimeout, 'spec.acceptanceTimeout');
  }
  if (s.dataPlane === 'waypoint') spec.dataPlane = 'waypoint';
  if (s.analysis) spec.analysis = analysis(s.analysis);
  if (s.mode === 'commit') spec.mode = 'commit';
  if (s.commit) spec.commit = commit(s.commit);
  if (s.egress) {
    spec.egress = egress(s.egress);
    // The egress gate runs in every stage with the other checks (semantics.ts made sure there is an analysis).
    spec.analysis?.checks.push(egressGateCheck(spec.egress.hosts.map((h) => h.host), spec.egress.policy));
  }
  return spec;
}
