// Make before break for VirtualService + DestinationRule: a DestinationRule provides its subsets, a
// VirtualService uses every subset its routes and mirrors send to. Hosts are compared as Istio
// resolves them in the object's namespace.
import { resolveHost } from '../../istio/hosts.ts';
import type { DestinationRule, Destination, VirtualService } from '../../istio/types.ts';
import type { Links } from '../../plan/operations.ts';
import type { RoutingObject } from '../../plan/types.ts';

const subsetToken = (host: string, namespace: string, subset: string) => `subset:${resolveHost(host, namespace)}/${subset}`;

export const subsetLinks: Links = {
  provides: (object: RoutingObject) => {
    if (object.kind !== 'DestinationRule') return [];
    const dr = object as DestinationRule;
    return (dr.spec.subsets ?? []).map((s) => subsetToken(dr.spec.host, dr.metadata.namespace ?? '', s.name));
  },
  uses: (object: RoutingObject) => {
    if (object.kind !== 'VirtualService') return [];
    const vs = object as VirtualService;
    const destinations = (vs.spec.http ?? []).flatMap((r): Array<Destination | undefined> => [
      ...(r.route ?? []).map((d) => d.destination),
      r.mirror,
      ...(Array.isArray(r.mirrors) ? r.mirrors.map((m) => (m as { destination?: Destination }).destination) : []),
    ]);
    return destinations.flatMap((d) => (d?.subset !== undefined && typeof d.host === 'string' ? [subsetToken(d.host, vs.metadata.namespace ?? '', d.subset)] : []));
  },
};
