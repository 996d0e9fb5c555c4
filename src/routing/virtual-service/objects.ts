// The VirtualService and DestinationRule among a stage's (or any list of) objects.
import { describeRef, type ObjectRef } from '../../plan/objects.ts';
import { ISTIO_API_VERSION, type DestinationRule, type VirtualService } from '../../istio/types.ts';
import { stageObjects, type PlannedStage, type RoutingObject } from '../../plan/types.ts';

type Objects = readonly RoutingObject[] | Pick<PlannedStage, 'operations'>;

const listOf = (from: Objects): readonly RoutingObject[] => ('operations' in from ? stageObjects(from) : from);

export const findVirtualService = (from: Objects) => listOf(from).find((o): o is VirtualService => o.kind === 'VirtualService');
export const findDestinationRule = (from: Objects) => listOf(from).find((o): o is DestinationRule => o.kind === 'DestinationRule');

/** The VirtualService of a stage (or baseline), which every stage of this backend has. */
export function virtualServiceOf(from: Objects): VirtualService {
  return found(findVirtualService(from), 'VirtualService', from);
}

/** The DestinationRule of a stage (or baseline), which every stage of this backend has. */
export function destinationRuleOf(from: Objects): DestinationRule {
  return found(findDestinationRule(from), 'DestinationRule', from);
}

function found<T>(object: T | undefined, kind: string, from: Objects): T {
  if (object === undefined) throw new Error(`no ${kind} among ${listOf(from).map((o) => describeRef({ kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name })).join(', ')}`);
  return object;
}

/** The reference of an Istio object, read and written as networking.istio.io/v1. */
export function istioRef(kind: 'VirtualService' | 'DestinationRule', namespace: string, name: string): ObjectRef {
  return { apiVersion: ISTIO_API_VERSION, kind, namespace, name };
}
