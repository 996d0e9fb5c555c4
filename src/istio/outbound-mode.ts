// The outbound traffic policy a workload's sidecar runs with, as istiod decides it (istio.io/istio
// pilot/pkg/model sidecar scope; istio.io/api mesh/v1alpha1 MeshConfig.OutboundTrafficPolicy):
// - the mesh config (ConfigMap `istio`, or `istio-<revision>`, key `mesh`, a YAML text) sets
//   `outboundTrafficPolicy.mode`; absent means ALLOW_ANY;
// - exactly one Sidecar applies to a workload: the oldest in its namespace whose workloadSelector
//   matches its labels, else the oldest namespace-wide one (no selector), else the root namespace's
//   namespace-wide one; its `outboundTrafficPolicy.mode`, when set, replaces the mesh config's.
// Pure: text and objects in, a decision with its reason out.
import { parse } from 'yaml';
import type { OutboundTrafficMode, Sidecar } from './types.ts';

export type { OutboundTrafficMode } from './types.ts';

export const OUTBOUND_MODES: readonly OutboundTrafficMode[] = ['ALLOW_ANY', 'REGISTRY_ONLY'];

/** meshConfig.rootNamespace's default: the control plane's namespace in a default install. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

export interface MeshOutboundConfig {
  mode: OutboundTrafficMode;
  /** Whether the mesh config set the mode (false: Istio's default applies). */
  explicit: boolean;
  rootNamespace: string;
}

export class MeshConfigError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads `outboundTrafficPolicy.mode` and `rootNamespace` from the mesh config text (the ConfigMap's `mesh` key). */
export function readMeshOutboundConfig(meshText: string, where: string): MeshOutboundConfig {
  let doc: unknown;
  try {
    doc = parse(meshText);
  } catch (e) {
    throw new MeshConfigError(`${where}: the mesh config is not YAML (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  if (doc === null || doc === undefined) return { mode: 'ALLOW_ANY', explicit: false, rootNamespace: DEFAULT_ROOT_NAMESPACE };
  if (!isRecord(doc)) throw new MeshConfigError(`${where}: the mesh config is not a mapping`);
  const rootNamespace = typeof doc.rootNamespace === 'string' && doc.rootNamespace !== '' ? doc.rootNamespace : DEFAULT_ROOT_NAMESPACE;
  const policy = doc.outboundTrafficPolicy;
  if (policy === undefined || policy === null) return { mode: 'ALLOW_ANY', explicit: false, rootNamespace };
  if (!isRecord(policy)) throw new MeshConfigError(`${where}: outboundTrafficPolicy is not a mapping`);
  const mode = policy.mode;
  if (mode === undefined || mode === null) return { mode: 'ALLOW_ANY', explicit: false, rootNamespace };
  if (typeof mode !== 'string' || !OUTBOUND_MODES.includes(mode as OutboundTrafficMode)) {
    throw new MeshConfigError(`${where}: outboundTrafficPolicy.mode is ${JSON.stringify(mode)}, expected ALLOW_ANY or REGISTRY_ONLY`);
  }
  return { mode: mode as OutboundTrafficMode, explicit: true, rootNamespace };
}

/** The mesh config's ConfigMap name for a namespace's `istio.io/rev` label (`default` or none: `istio`). */
export function meshConfigMapName(revision: string | undefined): string {
  return revision === undefined || revision === '' || revision === 'default' ? 'istio' : `istio-${revision}`;
}

/** Does a selector match the workload? `unknown` when it names a label the known labels lack. */
export type SelectorMatch = 'yes' | 'no' | 'unknown';

export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): SelectorMatch {
  let unknown = false;
  for (const [k, v] of Object.entries(selector)) {
    if (!(k in labels)) unknown = true;
    else if (labels[k] !== v) return 'no';
  }
  return unknown ? 'unknown' : 'yes';
}

function creationOrder(a: Sidecar, b: Sidecar): number {
  const ta = String(a.metadata.creationTimestamp ?? '');
  const tb = String(b.metadata.creationTimestamp ?? '');
  return ta === tb ? a.metadata.name.localeCompare(b.metadata.name) : ta.localeCompare(tb);
}

function hasSelector(s: Sidecar): boolean {
  return Object.keys(s.spec.workloadSelector?.labels ?? {}).length > 0;
}

export interface SidecarChoice {
  /** The Sidecar istiod applies, if any. */
  sidecar?: Sidecar;
  /** Sidecars whose selector names labels the caller did not know: they might apply instead. */
  undetermined: Sidecar[];
}

/** The Sidecar that applies to a workload with `labels` in `namespace` (Sidecars of any namespace may be passed). */
export function applicableSidecar(sidecars: Sidecar[], namespace: string, rootNamespace: string, labels: Record<string, string>): SidecarChoice {
  const inNamespace = sidecars.filter((s) => s.metadata.namespace === namespace).sort(creationOrder);
  const undetermined: Sidecar[] = [];
  for (const s of inNamespace.filter(hasSelector)) {
    const match = selectorMatches(s.spec.workloadSelector?.labels ?? {}, labels);
    if (match === 'yes') return { sidecar: s, undetermined };
    if (match === 'unknown') undetermined.push(s);
  }
  const namespaceWide = inNamespace.find((s) => !hasSelector(s));
  if (namespaceWide) return { sidecar: namespaceWide, undetermined };
  const rootWide = sidecars.filter((s) => s.metadata.namespace === rootNamespace && !hasSelector(s)).sort(creationOrder)[0];
  return rootWide ? { sidecar: rootWide, undetermined } : { undetermined };
}

/** The mode a Sidecar sets, if it sets one. */
export function sidecarMode(sidecar: Sidecar): OutboundTrafficMode | undefined {
  const mode = sidecar.spec.outboundTrafficPolicy?.mode;
  return mode !== undefined && OUTBOUND_MODES.includes(mode) ? mode : undefined;
}

/** What could be read of one input of the decision. */
export type Readout<T> = { kind: 'read'; value: T; where: string } | { kind: 'missing'; where: string } | { kind: 'unreadable'; where: string; why: string };

export interface ModeInputs {
  /** The mesh config of the control plane that serves the namespace. */
  mesh: Readout<MeshOutboundConfig>;
  /** Sidecars of the canary's namespace and of the root namespace. */
  sidecars: Readout<Sidecar[]>;
  namespace: string;
  /** The canary's pod labels, as far as the spec knows them. */
  labels: Record<string, string>;
  /** spec.egress.mode: used when the cluster does not tell. */
  fallback?: OutboundTrafficMode;
}

export interface ModeDecision {
  mode: OutboundTrafficMode | 'unknown';
  /** Where the mode came from, for the log and the report. */
  source: string;
  warnings: string[];
}

function sidecarRef(s: Sidecar): string {
  return `Sidecar ${s.metadata.namespace}/${s.metadata.name}`;
}

/** The canary's outbound mode from what could be read, with the reason and a warning for every gap. */
export function decideOutboundMode(inputs: ModeInputs): ModeDecision {
  const warnings: string[] = [];
  const rootNamespace = inputs.mesh.kind === 'read' ? inputs.mesh.value.rootNamespace : DEFAULT_ROOT_NAMESPACE;
  if (inputs.sidecars.kind === 'read') {
    const choice = applicableSidecar(inputs.sidecars.value, inputs.namespace, rootNamespace, inputs.labels);
    for (const s of choice.undetermined) {
      warnings.push(`${sidecarRef(s)} selects pods by labels the spec does not give for the canary (${Object.keys(s.spec.workloadSelector?.labels ?? {}).join(', ')}); if it selects the canary, its outbound mode applies instead`);
    }
    const mode = choice.sidecar ? sidecarMode(choice.sidecar) : undefined;
    if (choice.sidecar && mode) return { mode, source: `${sidecarRef(choice.sidecar)} (outboundTrafficPolicy.mode)`, warnings };
  } else {
    warnings.push(`cannot read the Sidecars in ${inputs.sidecars.where} (${inputs.sidecars.kind === 'unreadable' ? inputs.sidecars.why : 'not found'}); one could override the mesh's outbound mode for the canary`);
  }
  if (inputs.mesh.kind === 'read') {
    const source = inputs.mesh.value.explicit ? `${inputs.mesh.where} (outboundTrafficPolicy.mode)` : `Istio's default (${inputs.mesh.where} sets no outboundTrafficPolicy.mode)`;
    return { mode: inputs.mesh.value.mode, source, warnings };
  }
  const why = inputs.mesh.kind === 'missing' ? `${inputs.mesh.where} not found` : `cannot read ${inputs.mesh.where}: ${inputs.mesh.why}`;
  if (inputs.fallback) {
    warnings.push(`${why}; using spec.egress.mode ${inputs.fallback}`);
    return { mode: inputs.fallback, source: 'spec.egress.mode (the mesh config could not be read)', warnings };
  }
  warnings.push(`${why}, and spec.egress.mode is not set; the outbound mode is unknown (the egress gate still fails blocked and undeclared calls)`);
  return { mode: 'unknown', source: 'unknown (the mesh config could not be read)', warnings };
}
