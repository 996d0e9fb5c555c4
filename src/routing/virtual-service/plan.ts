// planRelease over a VirtualService and its DestinationRule (the `plan` command, tests, benches).
import type { DestinationRule, VirtualService } from '../../istio/types.ts';
import type { Plan, PlanOptions } from '../../plan/types.ts';
import type { CanarySpec } from '../../spec/types.ts';
import { planWith } from '../plan.ts';
import { virtualServiceBackend } from './backend.ts';

export function planRelease(spec: CanarySpec, liveVS: VirtualService, liveDR?: DestinationRule, options: PlanOptions = {}): Plan {
  return planWith(virtualServiceBackend, spec, liveDR ? [liveVS, liveDR] : [liveVS], options);
}
