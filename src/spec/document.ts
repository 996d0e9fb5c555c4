// CanarySpec back to YAML, every default written out: parsing the output gives the same spec. Used to
// show the effective spec (e.g. in `plan --out`) and to test parsing as a round trip.
import { EGRESS_CHECK } from '../analysis/checks/egress.ts';
import { checkType, ownFields } from '../analysis/checks/registry.ts';
import { safeYaml } from '../yaml/safe-yaml.ts';
import { formatPromDuration } from './duration.ts';
import { API_VERSION, KIND, type RawCanaryDocument, type RawCheck, type RawCommit, type RawStage, type RawVersion } from './raw.ts';
import type { CanarySpec, CheckSpec, CommitSpec, StageSpec, VersionRef } from './types.ts';

function rawVersion(ref: VersionRef): RawVersion {
  if (ref.host !== undefined) return { host: ref.host, ...(Object.keys(ref.labels).length ? { labels: { ...ref.labels } } : {}), workload: ref.workload };
  return { subset: ref.subset, labels: { ...ref.labels }, workload: ref.workload };
}

function rawStage(stage: StageSpec): RawStage {
  const common = { bake: formatPromDuration(stage.bake), pause: stage.pause };
  switch (stage.kind) {
    case 'darkLaunch': return { darkLaunch: { headers: structuredClone(stage.headers), keep: stage.keep }, ...common };
    case 'mirror': return { mirror: { percentage: stage.percentage }, ...common };
    case 'weight': return { weight: stage.weight, ...common };
  }
}

function rawCheck(check: CheckSpec): RawCheck {
  const { name, type, compare, noData, failureLimit, min, max, minRequests } = check;
  const raw: RawCheck = { name, type, compare, noData, failureLimit };
  if (min !== undefined) raw.min = min;
  if (max !== undefined) raw.max = max;
  Object.assign(raw, ownFields(checkType(check), check));
  // Checks without request counts (custom) have no minRequests, and the spec refuses the field on them.
  if (checkType(check).counted) raw.minRequests = minRequests;
  return raw;
}

function rawCommit(commit: CommitSpec): RawCommit {
  const { source, timeoutMs, pollMs } = commit.sync;
  const sync: RawCommit['sync'] = { timeout: formatPromDuration(timeoutMs), interval: formatPromDuration(pollMs) };
  if (source.kind === 'argocd') sync.argocd = { name: source.name, namespace: source.namespace };
  if (source.kind === 'flux') sync.flux = { name: source.name, namespace: source.namespace };
  if (source.kind === 'live') sync.live = true;
  if (source.kind === 'fixed') sync.wait = formatPromDuration(source.waitMs);
  const raw: RawCommit = { repository: commit.repository, branch: commit.branch, file: commit.file, files: { ...commit.files }, sync };
  if (commit.push !== undefined) raw.push = commit.push;
  return raw;
}

export function canaryDocument(spec: CanarySpec): RawCanaryDocument {
  const doc: RawCanaryDocument = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: spec.name },
    spec: {
      namespace: spec.namespace,
      virtualService: spec.virtualService,
      destinationRule: spec.destinationRule,
      host: spec.host,
      stable: rawVersion(spec.stable),
      canary: rawVersion(spec.canary),
      stages: spec.stages.map(rawStage),
      bake: formatPromDuration(spec.bake),
      settle: formatPromDuration(spec.settle),
    },
  };
  if (spec.route !== undefined) doc.spec.route = spec.route;
  const analysis = spec.analysis;
  if (analysis) {
    doc.spec.analysis = {
      interval: formatPromDuration(analysis.interval),
      prometheus: structuredClone(analysis.prometheus),
      failureLimit: analysis.failureLimit,
      alpha: analysis.alpha,
      // The egress gate is not written: `egress` below adds it again.
      checks: analysis.checks.filter((c) => c.type !== EGRESS_CHECK).map(rawCheck),
    };
    if (analysis.maxHold !== undefined) doc.spec.analysis.maxHold = formatPromDuration(analysis.maxHold);
    if (analysis.strict) doc.spec.analysis.strict = true;
  }
  if (spec.mode === 'commit') doc.spec.mode = 'commit';
  if (spec.commit) doc.spec.commit = rawCommit(spec.commit);
  if (spec.egress) {
    doc.spec.egress = { hosts: structuredClone(spec.egress.hosts), policy: spec.egress.policy };
    if (spec.egress.mode !== undefined) doc.spec.egress.mode = spec.egress.mode;
  }
  return doc;
}

export function stringifyCanarySpec(spec: CanarySpec): string {
  return safeYaml(canaryDocument(spec));
}
