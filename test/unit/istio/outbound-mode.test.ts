// The canary's outbound mode as istiod decides it: the mesh config (default, explicit, revisioned
// ConfigMap name), the Sidecar that applies (selector, namespace-wide, root namespace), and what
// happens when the cluster does not tell (fallback to spec.egress.mode, warnings).
import { describe, expect, it } from 'vitest';
import {
  applicableSidecar,
  decideOutboundMode,
  MeshConfigError,
  meshConfigMapName,
  readMeshOutboundConfig,
  type ModeInputs,
} from '../../../src/istio/outbound-mode.ts';
import type { Sidecar } from '../../../src/istio/types.ts';

const NS = 'istioinaction';
const LABELS = { app: 'forum', version: 'v2' };

function sidecar(name: string, namespace: string, mode?: 'ALLOW_ANY' | 'REGISTRY_ONLY', selector?: Record<string, string>, created = '2026-01-01T00:00:00Z'): Sidecar {
  const spec: Sidecar['spec'] = {};
  if (mode) spec.outboundTrafficPolicy = { mode };
  if (selector) spec.workloadSelector = { labels: selector };
  return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace, creationTimestamp: created }, spec };
}

const WHERE = 'ConfigMap istio-system/istio';
function inputs(meshText: string | 'missing' | 'forbidden', sidecars: Sidecar[] | 'forbidden' = [], fallback?: 'ALLOW_ANY' | 'REGISTRY_ONLY'): ModeInputs {
  const mesh: ModeInputs['mesh'] =
    meshText === 'missing' ? { kind: 'missing', where: WHERE }
    : meshText === 'forbidden' ? { kind: 'unreadable', where: WHERE, why: 'forbidden: the credentials may not read it' }
    : { kind: 'read', where: WHERE, value: readMeshOutboundConfig(meshText, WHERE) };
  const sc: ModeInputs['sidecars'] = sidecars === 'forbidden' ? { kind: 'unreadable', where: `namespace ${NS}`, why: 'forbidden' } : { kind: 'read', where: NS, value: sidecars };
  return { mesh, sidecars: sc, namespace: NS, labels: LABELS, ...(fallback ? { fallback } : {}) };
}

describe('the mesh config', () => {
  it.each([
    ['no mesh key at all', '', 'ALLOW_ANY', false],
    ['a mesh config without the policy', 'accessLogFile: /dev/stdout\n', 'ALLOW_ANY', false],
    ['a policy without mode', 'outboundTrafficPolicy: {}\n', 'ALLOW_ANY', false],
    ['REGISTRY_ONLY', 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n', 'REGISTRY_ONLY', true],
    ['ALLOW_ANY said explicitly', 'outboundTrafficPolicy: {mode: ALLOW_ANY}\n', 'ALLOW_ANY', true],
  ])('%s', (_what, text, mode, explicit) => {
    expect(readMeshOutboundConfig(text, WHERE)).toEqual({ mode, explicit, rootNamespace: 'istio-system' });
  });

  it('reads the root namespace, whose namespace-wide Sidecar is the mesh default', () => {
    expect(readMeshOutboundConfig('rootNamespace: mesh-root\n', WHERE).rootNamespace).toBe('mesh-root');
  });

  it.each([
    ['not YAML', 'outboundTrafficPolicy: [', /not YAML/],
    ['not a mapping', '- a\n', /not a mapping/],
    ['an unknown mode', 'outboundTrafficPolicy: {mode: DENY_ALL}\n', /outboundTrafficPolicy.mode is "DENY_ALL", expected ALLOW_ANY or REGISTRY_ONLY/],
  ])('refuses a mesh config that is %s, naming where', (_what, text, message) => {
    expect(() => readMeshOutboundConfig(text, WHERE)).toThrow(MeshConfigError);
    expect(() => readMeshOutboundConfig(text, WHERE)).toThrow(message);
  });

  it('the ConfigMap of a revisioned control plane is istio-<rev>; default and none are istio', () => {
    expect(meshConfigMapName('canary-1-30')).toBe('istio-canary-1-30');
    expect(meshConfigMapName('default')).toBe('istio');
    expect(meshConfigMapName(undefined)).toBe('istio');
  });
});

describe('the decision', () => {
  it('default: no policy anywhere is ALLOW_ANY, said to be Istio\'s default', () => {
    expect(decideOutboundMode(inputs(''))).toEqual({ mode: 'ALLOW_ANY', source: `Istio's default (${WHERE} sets no outboundTrafficPolicy.mode)`, warnings: [] });
  });

  it('the mesh config\'s mode', () => {
    expect(decideOutboundMode(inputs('outboundTrafficPolicy: {mode: REGISTRY_ONLY}'))).toEqual({ mode: 'REGISTRY_ONLY', source: `${WHERE} (outboundTrafficPolicy.mode)`, warnings: [] });
  });

  it('a namespace-wide Sidecar overrides the mesh config', () => {
    const d = decideOutboundMode(inputs('outboundTrafficPolicy: {mode: REGISTRY_ONLY}', [sidecar('default', NS, 'ALLOW_ANY')]));
    expect(d).toEqual({ mode: 'ALLOW_ANY', source: `Sidecar ${NS}/default (outboundTrafficPolicy.mode)`, warnings: [] });
  });

  it('a Sidecar selecting the canary beats the namespace-wide one; one selecting other pods does not count', () => {
    const sidecars = [sidecar('default', NS, 'ALLOW_ANY'), sidecar('other', NS, 'ALLOW_ANY', { version: 'v1' }), sidecar('forum-v2', NS, 'REGISTRY_ONLY', { version: 'v2' })];
    expect(decideOutboundMode(inputs('', sidecars)).source).toBe(`Sidecar ${NS}/forum-v2 (outboundTrafficPolicy.mode)`);
    expect(decideOutboundMode(inputs('', sidecars)).mode).toBe('REGISTRY_ONLY');
  });

  it('the oldest matching Sidecar wins', () => {
    const sidecars = [sidecar('b', NS, 'ALLOW_ANY', { app: 'forum' }, '2026-02-01T00:00:00Z'), sidecar('a', NS, 'REGISTRY_ONLY', { version: 'v2' }, '2026-01-01T00:00:00Z')];
    expect(applicableSidecar(sidecars, NS, 'istio-system', LABELS).sidecar?.metadata.name).toBe('a');
  });

  it('the applicable Sidecar without a mode leaves the mesh config\'s (a less specific Sidecar is not consulted)', () => {
    const sidecars = [sidecar('default', NS, 'ALLOW_ANY'), sidecar('forum', NS, undefined, { app: 'forum' })];
    expect(decideOutboundMode(inputs('outboundTrafficPolicy: {mode: REGISTRY_ONLY}', sidecars)).mode).toBe('REGISTRY_ONLY');
  });

  it("the root namespace's namespace-wide Sidecar applies when the namespace has none", () => {
    expect(decideOutboundMode(inputs('', [sidecar('default', 'istio-system', 'REGISTRY_ONLY')])).source).toBe('Sidecar istio-system/default (outboundTrafficPolicy.mode)');
  });

  it('a Sidecar selecting on labels the spec does not give is named in a warning', () => {
    const d = decideOutboundMode(inputs('', [sidecar('tier', NS, 'REGISTRY_ONLY', { tier: 'web' })]));
    expect(d.mode).toBe('ALLOW_ANY');
    expect(d.warnings).toEqual([`Sidecar ${NS}/tier selects pods by labels the spec does not give for the canary (tier); if it selects the canary, its outbound mode applies instead`]);
  });

  it('unreadable mesh config: a warning and spec.egress.mode', () => {
    expect(decideOutboundMode(inputs('forbidden', [], 'REGISTRY_ONLY'))).toEqual({
      mode: 'REGISTRY_ONLY',
      source: 'spec.egress.mode (the mesh config could not be read)',
      warnings: [`cannot read ${WHERE}: forbidden: the credentials may not read it; using spec.egress.mode REGISTRY_ONLY`],
    });
  });

  it('unreadable mesh config and no spec.egress.mode: unknown, with a warning', () => {
    const d = decideOutboundMode(inputs('missing'));
    expect(d.mode).toBe('unknown');
    expect(d.warnings).toEqual([`${WHERE} not found, and spec.egress.mode is not set; the outbound mode is unknown (the egress gate still fails blocked and undeclared calls)`]);
  });

  it('unreadable Sidecars: the mesh config decides, with a warning that a Sidecar could override it', () => {
    const d = decideOutboundMode(inputs('outboundTrafficPolicy: {mode: REGISTRY_ONLY}', 'forbidden'));
    expect(d.mode).toBe('REGISTRY_ONLY');
    expect(d.warnings).toEqual([`cannot read the Sidecars in namespace ${NS} (forbidden); one could override the mesh's outbound mode for the canary`]);
  });

  it('a readable Sidecar decides even when the mesh config cannot be read', () => {
    expect(decideOutboundMode(inputs('forbidden', [sidecar('default', NS, 'REGISTRY_ONLY')], 'ALLOW_ANY'))).toEqual({ mode: 'REGISTRY_ONLY', source: `Sidecar ${NS}/default (outboundTrafficPolicy.mode)`, warnings: [] });
  });
});
