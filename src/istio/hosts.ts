// Host names compared the way Istio resolves them: a short name is relative to the namespace of the
// resource that mentions it, so `catalog`, `catalog.istioinaction` and
// `catalog.istioinaction.svc.cluster.local` seen from namespace istioinaction are one service.

const CLUSTER_SUFFIX = 'svc.cluster.local';

/** The fully qualified form of `host` as seen from `namespace`. Wildcards and FQDNs stay as written. */
export function resolveHost(host: string, namespace: string): string {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  if (h.startsWith('*')) return h;
  const labels = h.split('.');
  if (labels.length === 1) return `${h}.${namespace}.${CLUSTER_SUFFIX}`;
  if (labels.length === 2) return `${h}.${CLUSTER_SUFFIX}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${h}.cluster.local`;
  return h;
}

export function sameHost(a: string, b: string, namespace: string): boolean {
  return resolveHost(a, namespace) === resolveHost(b, namespace);
}
