// Outbound traffic as part of any routing backend: a spec with `egress.hosts` gets the ServiceEntries
// its canary needs in every stage's objects, first in write order, so they exist before any canary
// traffic (the dark launch) and stay through promotion. The rollback leaves out the entries only this
// release needs, which the plan then deletes after the routing is back on stable (they carry this
// canary's labels), and writes the shared ones with this release taken off their list of users.
// Which entry to create, share or reuse is src/istio/service-entry.ts's (pure); this only places the
// result in the stages.
import { isOurs, planServiceEntries, releaseServiceEntries, stripServerFields } from '../istio/service-entry.ts';
import type { ServiceEntry } from '../istio/types.ts';
import { serviceEntryRuleProblems } from '../istio/webhook-rules.ts';
import { InputError } from '../errors.ts';
import { describeRef, ownedLabels, refOf } from '../plan/objects.ts';
import type { RoutingObject, StageRouting } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import type { RoutingBackend, Stripped } from './backend.ts';

export const SERVICE_ENTRY_API = 'networking.istio.io/v1';

interface EgressBase<Inner> {
  inner: Stripped<Inner>;
  /** Entries written in every stage (created, or ours with this release added). */
  forward: ServiceEntry[];
  /** Entries the rollback writes (shared ones with this release taken off). */
  rollback: ServiceEntry[];
}

const isServiceEntry = (o: RoutingObject): o is ServiceEntry & RoutingObject => o.kind === 'ServiceEntry';

/** The rollback's routing (canary weight 0, no header rule, no mirror): nothing of the canary is left. */
function isRollback(routing: StageRouting): boolean {
  return routing.destinations.to === 'split' && routing.destinations.canaryWeight === 0 && routing.headers === undefined && routing.mirrorPercentage === undefined;
}

function release(spec: CanarySpec) {
  return { canary: spec.name, namespace: spec.namespace, hosts: spec.egress?.hosts ?? [] };
}

/** An entry as this release writes it: our labels (so a rollback can find and delete it), no server fields. */
function asWritten(spec: CanarySpec, entry: ServiceEntry): ServiceEntry & RoutingObject {
  const labels = isOurs(entry) && entry.metadata.labels?.['istio-canary.dev/canary'] !== undefined ? entry.metadata.labels : { ...entry.metadata.labels, ...ownedLabels(spec.name) };
  return { ...entry, metadata: { ...entry.metadata, labels } };
}

export function withEgress<Inner>(inner: RoutingBackend<Inner>): RoutingBackend<EgressBase<Inner>> {
  return {
    name: `${inner.name} with egress`,
    reads: (spec) => inner.reads(spec),
    lists: (spec, read) => [...(inner.lists?.(spec, read) ?? []), { ref: { apiVersion: SERVICE_ENTRY_API, kind: 'ServiceEntry', namespace: spec.namespace }, labels: {} }],
    stateObject: (spec) => inner.stateObject(spec),
    strip(spec, live, options) {
      const entries = live.filter(isServiceEntry);
      const stripped = inner.strip(spec, live.filter((o) => !isServiceEntry(o)), options);
      let steps: ReturnType<typeof planServiceEntries>;
      try {
        steps = planServiceEntries(release(spec), entries);
      } catch (e) {
        throw new InputError({ file: spec.source.file, path: 'spec.egress.hosts', message: e instanceof Error ? e.message : String(e) });
      }
      const mine = entries.filter((e) => isOurs(e) && (e.metadata.namespace ?? spec.namespace) === spec.namespace);
      const forward = new Map<string, ServiceEntry>();
      for (const step of steps) {
        if (step.kind === 'create' || step.kind === 'share') forward.set(step.entry.metadata.name, asWritten(spec, step.entry));
        else if (step.ours) {
          const live = mine.find((e) => e.metadata.name === step.by.name);
          if (live) forward.set(live.metadata.name, stripServerFields(live));
        }
      }
      const giveBack = releaseServiceEntries(spec.name, spec.namespace, mine);
      const rollback = giveBack.flatMap((s) => (s.kind === 'unshare' ? [s.entry] : []));
      // What the first stage and the rollback start from: the live entries this release needs.
      const needed = mine.filter((e) => forward.has(e.metadata.name) || giveBack.some((s) => s.entry.metadata.name === e.metadata.name));
      return {
        base: { inner: stripped, forward: [...forward.values()], rollback },
        baseline: stripped.baseline,
        before: [...needed, ...stripped.before],
        ...(stripped.legacyHeaderRule ? { legacyHeaderRule: true } : {}),
        ...(stripped.notes ? { notes: stripped.notes } : {}),
      };
    },
    apply(spec, { base }, routing) {
      const objects = inner.apply(spec, base.inner, routing);
      const entries = isRollback(routing) ? base.rollback : base.forward;
      return [...entries.map((e) => structuredClone(e) as RoutingObject), ...objects];
    },
    ...(inner.stageNotes ? { stageNotes: (spec, { base }, routing) => inner.stageNotes!(spec, base.inner, routing) } : {}),
    readTraffic: (spec, { base }) => inner.readTraffic(spec, base.inner),
    validate(produced, live) {
      if (!isServiceEntry(produced)) return inner.validate(produced, live);
      const problems = serviceEntryRuleProblems(produced);
      if (problems.length > 0) {
        const first = problems[0]!;
        throw new Error(`${describeRef(refOf(produced))}: ${first.path}: ${first.message} (istiod would refuse it; this is a bug)`);
      }
    },
    links: inner.links,
    versionLabels: (live, spec, subset) => inner.versionLabels(live.filter((o) => !isServiceEntry(o)), spec, subset),
    legacyRuleNote: (spec, stage) => inner.legacyRuleNote(spec, stage),
  };
}
