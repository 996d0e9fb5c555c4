// The http routes of the VirtualServices Istio's Gateway API controller generated (the oracle's
// `converted`), read for what a route does to a request besides choosing its destination: header
// operations, rewrites, redirects, CORS, timeouts, retries, fault, and mirrors (but for one host's,
// the mirror a stage adds). The dark-launch rule must serve its cohort exactly as the owned rule does.

export interface ConvertedObject {
  kind: string;
  name: string;
  namespace: string;
  spec: unknown;
}

export type HttpEntry = Record<string, unknown> & { name?: string };

export function convertedHttp(converted: readonly ConvertedObject[] | undefined): HttpEntry[] {
  return (converted ?? []).filter((c) => c.kind === 'VirtualService').flatMap((c) => ((c.spec as { http?: HttpEntry[] }).http ?? []));
}

/** Istio's name for a rule of an HTTPRoute: the rule's name, else `<namespace>.<route>.<rule index>`. */
export function convertedName(rule: { name?: string }, index: number, route: { metadata: { name: string; namespace?: string } }): string {
  return rule.name ?? `${route.metadata.namespace}.${route.metadata.name}.${index}`;
}

const NOT_SERVICE = new Set(['name', 'match', 'route', 'mirror', 'mirrorPercentage', 'mirrors']);

/** Everything the entry does to a request but where it sends it; mirrors to `exceptHost` left out. */
export function servedAs(entry: HttpEntry, exceptHost: string): Record<string, unknown> {
  const rest = Object.fromEntries(Object.entries(entry).filter(([k]) => !NOT_SERVICE.has(k)));
  const single = entry.mirror === undefined ? [] : [{ destination: entry.mirror, percentage: entry.mirrorPercentage }];
  const mirrors = [...single, ...((entry.mirrors as Array<{ destination: { host: string } }> | undefined) ?? [])].filter((m) => (m.destination as { host: string }).host !== exceptHost);
  return { ...rest, mirrors };
}
