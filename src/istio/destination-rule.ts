// The DestinationRule edit: make sure the stable and canary subsets exist with the spec's labels.
// Other subsets, traffic policies and metadata stay as they are; a rule that would make two subsets
// select the same pods, or redefine an existing subset, is refused instead of rewritten.
import { InputError } from '../errors.ts';
import { clone, jsonEqual } from './clone.ts';
import { lookAlikeHosts, sameHost } from './hosts.ts';
import { objectProblem } from './object-ref.ts';
import { ISTIO_API_VERSION, type DestinationRule, type Subset } from './types.ts';

export interface SubsetsWanted {
  name: string;
  namespace: string;
  host: string;
  stable: { subset: string; labels: Record<string, string> };
  canary: { subset: string; labels: Record<string, string> };
}

/** The live DestinationRule with both subsets present, or a new one holding just them. */
export function withCanarySubsets(live: DestinationRule | undefined, want: SubsetsWanted): DestinationRule {
  if (live === undefined) return newDestinationRule(want);
  checkHost(live, want);
  checkVersionsApart(live, want);
  const subsets = clone(live.spec.subsets ?? []);
  for (const version of [want.stable, want.canary]) {
    checkNoClash(live, subsets, version, [want.stable.subset, want.canary.subset]);
    if (!subsets.some((s) => s.name === version.subset)) subsets.push({ name: version.subset, labels: { ...version.labels } });
  }
  const out = clone(live);
  out.apiVersion = ISTIO_API_VERSION;
  out.spec.subsets = subsets;
  return out;
}

function newDestinationRule(want: SubsetsWanted): DestinationRule {
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'DestinationRule',
    metadata: { name: want.name, namespace: want.namespace },
    spec: {
      host: want.host,
      subsets: [
        { name: want.stable.subset, labels: { ...want.stable.labels } },
        { name: want.canary.subset, labels: { ...want.canary.labels } },
      ],
    },
  };
}

/** Pilot applies a DestinationRule to the service its host resolves to (or, for a wildcard host, to many):
 * editing one of another host would add subsets that the routed host never gets, or give them to other services. */
function checkHost(live: DestinationRule, want: SubsetsWanted): void {
  const namespace = live.metadata.namespace ?? want.namespace;
  if (sameHost(live.spec.host, want.host, namespace)) return;
  const alike = lookAlikeHosts(live.spec.host, want.host, namespace);
  const why = alike ? `: Istio reads it as '${alike.a}' and the spec's host as '${alike.b}' (only a host without a dot is expanded with the namespace; every other host is compared as written)` : '';
  throw new InputError(objectProblem(live, 'spec.host', `host '${live.spec.host}' is not the spec's host '${want.host}'${why}; expected the DestinationRule of the host the canary shifts`));
}

/** The DestinationRule's stable and canary subsets must select different pods: with the same labels every
 * split between them sends requests to the same pods, and the metrics of "the canary" judge nothing. */
function checkVersionsApart(live: DestinationRule, want: SubsetsWanted): void {
  const subsets = live.spec.subsets ?? [];
  const stable = subsets.findIndex((s) => s.name === want.stable.subset);
  const canary = subsets.findIndex((s) => s.name === want.canary.subset);
  if (stable < 0 || canary < 0) return;
  const a = subsets[stable]!.labels ?? {};
  const b = subsets[canary]!.labels ?? {};
  const within = (x: Record<string, string>, y: Record<string, string>) => Object.entries(x).every(([k, v]) => y[k] === v);
  if (!within(a, b) && !within(b, a)) return;
  throw new InputError(objectProblem(live, `spec.subsets[${canary}].labels`,
    `the stable subset '${want.stable.subset}' (${labelText(a)}) and the canary subset '${want.canary.subset}' (${labelText(b)}) select the same pods, so every split between them sends requests to the same pods and the release would judge nothing; expected labels that tell the versions apart, e.g. the spec's ${labelText(want.stable.labels)} and ${labelText(want.canary.labels)}: set them on the subsets (or remove the two subsets and let istio-canary add them)`));
}

function checkNoClash(live: DestinationRule, subsets: Subset[], version: { subset: string; labels: Record<string, string> }, ours: string[]): void {
  subsets.forEach((s, i) => {
    const path = `spec.subsets[${i}].labels`;
    if (s.name === version.subset && !jsonEqual(s.labels ?? {}, version.labels)) {
      throw new InputError(objectProblem(live, path, `subset '${s.name}' exists with labels ${labelText(s.labels)}; the spec expects ${labelText(version.labels)}`));
    }
    if (!ours.includes(s.name) && jsonEqual(s.labels ?? {}, version.labels)) {
      throw new InputError(objectProblem(live, path, `subset '${s.name}' already selects labels ${labelText(version.labels)} of subset '${version.subset}'; expected each version's labels in one subset only`));
    }
  });
}

function labelText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}` : '{}';
}
