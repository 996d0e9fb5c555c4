// The simulator routes as Envoy does with pilot's routes: for generated VirtualServices and
// DestinationRules, and for the planner's stage outputs for them, every request derived from every
// rule and match block gets the same decision from the simulator's router and from the routes
// Istio's own pilot generates (test/oracle): destination clusters and their shares, mirrors and
// their percentages, local replies, or no route.

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestYaml } from '../../src/plan/render.ts';
import { planRelease } from '../../src/routing/virtual-service/plan.ts';
import type { DestinationRule, VirtualService } from '../../src/istio/types.ts';
import { oracleCase, oracleDecision, simulatorDecision, simulatorTable, type Normalized, type OracleAnswer } from './agreement.ts';
import { CATALOG_FQDN, SAMPLE_VALUES, SERVICES, SERVICE_NAMESPACE, canaryFor, meshCase, plannableCase, type MeshCase } from './mesh-cases.ts';
import { probeRequests, type ProbeRequest } from './probe-requests.ts';
import { destinationRuleOf, virtualServiceOf } from '../../src/routing/virtual-service/objects.ts';
import { routeOracleForFile } from './route-oracle-for-file.ts';

const oracle = routeOracleForFile();

const tally = { requests: 0, agreed: 0, cases: 0, rejectedInputs: 0, plannedStages: 0, refusedPlans: 0 };

interface Disagreement {
  request: ProbeRequest;
  simulator: Normalized;
  pilot: Normalized;
}

/** Hosts a client sends to: the service FQDN, its aliases, and each literal VirtualService host. */
function hostsFor(virtualServices: VirtualService[]): string[] {
  const literal = virtualServices.flatMap((vs) => vs.spec.hosts ?? []).filter((h) => h.includes('.') && !h.startsWith('*'));
  return [...new Set([CATALOG_FQDN, `catalog.${SERVICE_NAMESPACE}`, 'catalog', ...literal])];
}

/** Compares both routers on the objects; returns the disagreements and the objects pilot's validation refused. */
async function compare(stream: string, objects: { virtualServices: VirtualService[]; destinationRules: DestinationRule[] }, clientNamespace: string) {
  const requests = probeRequests(objects.virtualServices, hostsFor(objects.virtualServices), SAMPLE_VALUES);
  const answer = await oracle.ask<OracleAnswer>(oracleCase(stream, SERVICES, clientNamespace, requests));
  if (answer.error) throw new Error(`oracle: ${answer.error}`);
  const rejected = answer.rejected ?? [];
  // What istiod refuses never reaches a proxy: route the simulator with what pilot accepted.
  const accepted = <T extends VirtualService | DestinationRule>(o: T) =>
    !rejected.some((r) => r.kind === o.kind && r.name === o.metadata.name && r.namespace === (o.metadata.namespace ?? 'default'));
  const table = simulatorTable(SERVICES, {
    virtualServices: objects.virtualServices.filter(accepted),
    destinationRules: objects.destinationRules.filter(accepted),
  });
  const disagreements: Disagreement[] = [];
  requests.forEach((request, i) => {
    const simulator = simulatorDecision(table, request, clientNamespace);
    const pilot = oracleDecision(answer, i);
    tally.requests++;
    if (JSON.stringify(simulator) === JSON.stringify(pilot)) tally.agreed++;
    else disagreements.push({ request, simulator, pilot });
  });
  return { disagreements, rejected };
}

const asJsonStream = (objects: object[]) => objects.map((o) => JSON.stringify(o)).join('\n---\n');

function report(what: string, c: MeshCase, disagreements: Disagreement[]): string {
  const first = disagreements.slice(0, 3).map((d) => JSON.stringify(d, null, 1));
  return `${what}: ${disagreements.length} disagreements, client namespace ${c.clientNamespace}\n${first.join('\n')}`;
}

describe('the simulator routes as pilot does', () => {
  it('on generated VirtualServices and DestinationRules (every rule and match block, every host form)', async () => {
    await fc.assert(
      fc.asyncProperty(meshCase, async (c) => {
        tally.cases++;
        const objects = { virtualServices: [c.virtualService], destinationRules: c.destinationRules };
        const { disagreements, rejected } = await compare(asJsonStream([c.virtualService, ...c.destinationRules]), objects, c.clientNamespace);
        if (rejected.length > 0) tally.rejectedInputs++;
        expect(disagreements, report('generated input', c, disagreements)).toEqual([]);
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 150) },
    );
    // The generator must mostly produce objects istiod accepts, or the comparison says little.
    expect(tally.rejectedInputs / tally.cases).toBeLessThan(0.5);
  }, 1_200_000);

  it("on the planner's stage outputs for them, as plan --out writes them", async () => {
    await fc.assert(
      fc.asyncProperty(plannableCase, canaryFor, async (c, specFor) => {
        const spec = specFor(c);
        const liveDR = c.destinationRules.find((dr) => dr.metadata.namespace === SERVICE_NAMESPACE);
        let plan: ReturnType<typeof planRelease>;
        try {
          plan = planRelease(spec, c.virtualService, liveDR);
        } catch {
          // The planner refuses this input with an InputError (covered by the plan tests).
          tally.refusedPlans++;
          return;
        }
        const others = c.destinationRules.filter((dr) => dr !== liveDR);
        const input = await oracle.ask<OracleAnswer>(oracleCase(asJsonStream([c.virtualService, ...c.destinationRules]), SERVICES, c.clientNamespace, []));
        for (const stage of [...plan.stages, plan.promoted, plan.rollback]) {
          tally.plannedStages++;
          const objects = { virtualServices: [virtualServiceOf(stage)], destinationRules: [destinationRuleOf(stage), ...others] };
          // The manifests exactly as `plan --out` renders them (YAML), the others as JSON.
          const stream = [manifestYaml(virtualServiceOf(stage)), manifestYaml(destinationRuleOf(stage)), ...others.map((o) => JSON.stringify(o))].join('\n---\n');
          const { disagreements, rejected } = await compare(stream, objects, c.clientNamespace);
          // What we write is never refused by istiod (read as Istio reads YAML) when the input was not.
          if ((input.rejected ?? []).length === 0) expect(rejected, `stage ${stage.id} of ${JSON.stringify(c.virtualService)}`).toEqual([]);
          expect(disagreements, report(`stage ${stage.id}`, c, disagreements)).toEqual([]);
        }
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 100) },
    );
  }, 1_200_000);

  afterAll(() => {
    const rate = tally.requests === 0 ? 0 : (100 * tally.agreed) / tally.requests;
    console.log(
      `route agreement: ${tally.agreed}/${tally.requests} probe requests (${rate.toFixed(2)} %) over ${tally.cases} generated cases ` +
        `(${tally.rejectedInputs} with an object istiod refuses) and ${tally.plannedStages} planned stages (${tally.refusedPlans} plans refused)`,
    );
  });
});
