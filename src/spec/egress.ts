// Rules for `spec.egress` the schema cannot express: each outside host must be a name istiod accepts
// in a ServiceEntry (a DNS name, or a wildcard in the first label), outside the mesh, declared once,
// with a resolution that suits it; each port needs its protocol.
import { isIP } from 'node:net';
import { serviceNamespace } from '../istio/hosts.ts';
import { wildcardDomainError } from '../istio/webhook/names.ts';
import type { PathSegment } from './locate.ts';
import { isRecord, type PathProblem } from './problem.ts';

export const EGRESS_PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'HTTP2', 'MONGO', 'TCP', 'TLS'] as const;

/** Suffixes of names the cluster's DNS answers, never the outside world's. */
const CLUSTER_SUFFIXES = ['.svc.cluster.local', '.cluster.local', '.svc'];

/** Why `host` names something inside the mesh, or undefined. `meshHost` is the spec's own service host. */
export function inMeshReason(host: string, namespace: string, meshHost: string | undefined): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!name.includes('.') && !name.startsWith('*')) return `a name without a dot is short for the service \`${name}.${namespace}.svc.cluster.local\``;
  const service = serviceNamespace(name, namespace);
  if (service !== undefined) return `it is a Kubernetes service of namespace \`${service}\``;
  const suffix = CLUSTER_SUFFIXES.find((s) => name.endsWith(s) || name === s.slice(1));
  if (suffix !== undefined) return `names ending in \`${suffix}\` are the cluster's own`;
  if (meshHost !== undefined && name === meshHost.toLowerCase()) return 'it is the host this canary releases';
  return undefined;
}

function hostRules(entry: Record<string, unknown>, path: PathSegment[], spec: Record<string, unknown>, problems: PathProblem[]): void {
  const host = entry.host;
  if (typeof host !== 'string') return;
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : 'default';
  const dnsError =
    host === '*' ? 'the host `*` would cover every outside host'
    : isIP(host) !== 0 ? `\`${host}\` is an IP address, not a name (a ServiceEntry lists addresses apart from its hosts)`
    : wildcardDomainError(host);
  if (dnsError !== undefined) {
    problems.push({ path: [...path, 'host'], message: `${dnsError}; expected a DNS name such as \`api.example.com\` or a wildcard such as \`*.example.com\`` });
    return;
  }
  const inMesh = inMeshReason(host, namespace, typeof spec.host === 'string' ? spec.host : undefined);
  if (inMesh !== undefined) {
    problems.push({ path: [...path, 'host'], message: `\`${host}\` is inside the mesh (${inMesh}); expected a host outside the cluster: calls inside the mesh need no ServiceEntry` });
    return;
  }
  const resolution = entry.resolution;
  if (host.startsWith('*') && (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN')) {
    problems.push({ path: [...path, 'resolution'], message: `a wildcard host cannot be resolved by DNS (istiod refuses it without endpoints); expected \`NONE\` or no resolution for \`${host}\`` });
  }
}

function portRules(entry: Record<string, unknown>, path: PathSegment[], problems: PathProblem[]): void {
  if (!Array.isArray(entry.ports)) return;
  const numbers = new Map<unknown, number>();
  entry.ports.forEach((port, i) => {
    if (!isRecord(port)) return;
    const portPath = [...path, 'ports', i];
    if (port.protocol === undefined) {
      const number = typeof port.number === 'number' ? `port ${port.number}` : 'this port';
      problems.push({ path: portPath, message: `${number} has no \`protocol\`; expected one of ${EGRESS_PROTOCOLS.map((p) => `\`${p}\``).join(', ')} (the proxy routes HTTP-family ports by host and the rest by address, so it must be said)` });
    }
    const first = numbers.get(port.number);
    if (first !== undefined) problems.push({ path: [...portPath, 'number'], message: `port ${String(port.number)} is listed twice (also ports[${first}])` });
    else numbers.set(port.number, i);
  });
}

/** The gate runs with the other checks: it needs the analysis (Prometheus), and its name. */
function gateRules(spec: Record<string, unknown>, problems: PathProblem[]): void {
  if (spec.analysis === undefined) {
    problems.push({ path: ['spec', 'egress'], message: 'the egress gate queries Prometheus in every stage: add `spec.analysis` (its `prometheus.url` and at least one check)' });
    return;
  }
  const checks = isRecord(spec.analysis) && Array.isArray(spec.analysis.checks) ? spec.analysis.checks : [];
  checks.forEach((check, i) => {
    if (isRecord(check) && check.name === 'egress' && check.type !== 'egress') {
      problems.push({ path: ['spec', 'analysis', 'checks', i, 'name'], message: 'the name `egress` is the egress gate\'s (added by `spec.egress`); expected another name' });
    }
  });
}

/** Every problem of `spec.egress` (the document may be schema-invalid elsewhere). */
export function egressProblems(spec: Record<string, unknown>): PathProblem[] {
  const egress = spec.egress;
  const problems: PathProblem[] = [];
  if (isRecord(egress)) gateRules(spec, problems);
  if (!isRecord(egress) || !Array.isArray(egress.hosts)) return problems;
  const seen = new Map<string, number>();
  egress.hosts.forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const path: PathSegment[] = ['spec', 'egress', 'hosts', i];
    hostRules(entry, path, spec, problems);
    portRules(entry, path, problems);
    if (typeof entry.host !== 'string') return;
    const key = entry.host.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) problems.push({ path: [...path, 'host'], message: `\`${entry.host}\` is declared twice (also hosts[${first}]); list its ports in one entry` });
    else seen.set(key, i);
  });
  return problems;
}
