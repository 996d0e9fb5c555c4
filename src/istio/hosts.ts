// Host names exactly as Istio reads them (istio.io/istio pkg/config/model ResolveShortnameToFQDN, used
// by pilot for VirtualService destinations and DestinationRule hosts, and by the analyzers): only a
// host without a dot is expanded with the namespace of the resource that mentions it, `catalog` →
// `catalog.<ns>.svc.cluster.local`. Everything else is literal: `catalog.prod` is not the service
// catalog in namespace prod, and no case folding or trailing-dot trimming happens. Pilot then looks a
// DestinationRule up by this name, so two hosts reach the same service only if they resolve equal.
import { isIP } from 'node:net';

/** The Kubernetes cluster domain Istio assumes (and `istioctl analyze` uses) unless configured otherwise. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** `host` as Istio resolves it in `namespace`: a dotless name gets `.<namespace>.svc.<clusterDomain>`;
 * `*`, IPs and dotted names (wildcards such as `*.example.com` too) stay as written. */
export function resolveHost(host: string, namespace: string, clusterDomain = CLUSTER_DOMAIN): string {
  if (host === '' || host === '*' || host.includes('.') || isIP(host) !== 0) return host;
  return `${host}.${namespace}.svc.${clusterDomain}`;
}

export function sameHost(a: string, b: string, namespace: string): boolean {
  return resolveHost(a, namespace) === resolveHost(b, namespace);
}

/** The namespace of a Kubernetes service host (`name.ns.svc.cluster.local`), or undefined for any other host. */
export function serviceNamespace(host: string, namespace: string): string | undefined {
  const resolved = resolveHost(host, namespace);
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!resolved.endsWith(suffix)) return undefined;
  const labels = resolved.slice(0, -suffix.length).split('.');
  return labels.length === 2 && labels.every((l) => l !== '') ? labels[1] : undefined;
}

/** What a host names read the Kubernetes way (`name.ns` or `name.ns.svc` as the service), which Istio does not do. */
function kubernetesReading(host: string, namespace: string): string {
  const r = resolveHost(host, namespace).toLowerCase().replace(/\.$/, '');
  const labels = r.split('.');
  if (labels.length === 2) return `${r}.svc.${CLUSTER_DOMAIN}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${r}.${CLUSTER_DOMAIN}`;
  return r;
}

/**
 * Two hosts a reader might take for one service (`catalog.prod` beside `catalog` in prod) that Istio
 * resolves to different names: both resolutions and the service's fully qualified name, which names
 * it the same way everywhere. Undefined when they resolve equal or are plainly different hosts.
 */
export function lookAlikeHosts(a: string, b: string, namespace: string): { a: string; b: string; fqdn: string } | undefined {
  const ra = resolveHost(a, namespace);
  const rb = resolveHost(b, namespace);
  if (ra === rb || kubernetesReading(a, namespace) !== kubernetesReading(b, namespace)) return undefined;
  return { a: ra, b: rb, fqdn: kubernetesReading(a, namespace) };
}

/** Does a ServiceEntry host (exact, or `*.suffix` for any name under the suffix) register `host`? Case-insensitive, like DNS. */
export function hostPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) || (h.startsWith('*.') && h.endsWith(p.slice(1)));
  return p === h;
}
