// Every istiod rule we mirror (istio.io/istio pkg/config/validation, function by function), with an
// input istiod rejects and its reason, and inputs istiod accepts that a stricter copy would refuse.
// What we deliberately do not mirror is listed at the top of src/istio/webhook-rules.ts.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import type { DestinationRule, VirtualService } from '../../../src/istio/types.ts';
import { ACCEPTED, REJECTED, vsWith } from './webhook-cases.ts';
import { istioProblems } from '../../../src/istio/validate.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, seedDestinationRule, stage } from '../plan/helpers.ts';

const found = (obj: VirtualService | DestinationRule) => istioProblems(obj).map((p) => ({ rule: p.rule, path: p.path, message: p.message }));

describe('istiod webhook rules we mirror', () => {
  it.each(REJECTED)('%s: %s', (_fn, rule, input, path, reason) => {
    expect(found(input)).toContainEqual({ rule, path, message: reason });
  });

  it.each(ACCEPTED)('accepts %s', (_what, input) => {
    expect(found(input)).toEqual([]);
  });
});

describe('inputs istiod rejects are refused with its reason, never copied into our output', () => {
  it('retries with attempts 0 on the owned route: no header rule copies them', () => {
    const live = vsWith({ http: [{ retries: { attempts: 0, perTryTimeout: '1s' }, route: [{ destination: { host: 'catalog' } }] }] });
    live.metadata.namespace = 'istioinaction';
    let error: unknown;
    try {
      planRelease(canarySpec({ stages: [stage.darkLaunch(), stage.weight(100)] }), live, seedDestinationRule());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('VirtualService istioinaction/catalog: spec.http[0].retries: http retry policy configured when attempts are set to 0 (disabled)');
  });
});
