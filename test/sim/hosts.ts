// Host names as Istio compares them (istio.io/istio pkg/config/host and pilot): only a host without
// a dot is short for a service in the namespace of the resource that names it; any other host is
// taken literally. `*.suffix` wildcards match any name ending in `.suffix`.

// The host pilot means by a host written in a resource is the product's own resolveHost
// (src/istio/hosts.ts): one reading of Istio's rule, checked against pilot by the oracle tests.

/**
 * The names a sidecar in `clientNamespace` also answers for a Kubernetes service, as pilot lists
 * them in the service's virtual host: `name.ns` and `name.ns.svc`, plus `name` from the
 * service's own namespace. A request whose Host is one of them reaches that service.
 */
export function serviceAliases(name: string, namespace: string, clientNamespace: string): string[] {
  const aliases = [`${name}.${namespace}`, `${name}.${namespace}.svc`];
  return clientNamespace === namespace ? [name, ...aliases] : aliases;
}

/** Does the (possibly wildcard) pattern match a concrete host? */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** Specificity for choosing among matching patterns: exact beats any wildcard, longer beats shorter. */
export function hostSpecificity(pattern: string): number {
  return pattern.startsWith('*') ? pattern.length : 1_000_000 + pattern.length;
}
