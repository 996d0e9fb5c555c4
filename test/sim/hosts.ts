// Host names as Istio compares them: short names resolve relative to the namespace of the
// resource that names them; `*.suffix` wildcards match any name ending in `.suffix`.

/**
 * Fully qualify `host` written in a resource of `namespace`: `catalog` and `catalog.ns` and
 * `catalog.ns.svc` all mean `catalog.ns.svc.<domain>`; anything with more dots is taken as is.
 */
export function qualifyHost(host: string, namespace: string, clusterDomain: string): string {
  if (host.startsWith('*')) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.svc.${clusterDomain}`;
  if (parts.length === 2) return `${host}.svc.${clusterDomain}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.${clusterDomain}`;
  return host;
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
