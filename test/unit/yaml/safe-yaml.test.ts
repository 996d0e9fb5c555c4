// Every string we write reads back as the same string under YAML 1.2, YAML 1.1 and go-yaml v2 rules
// (how Kubernetes tooling and istioctl decode: sigs.k8s.io/yaml → goyaml.v2 resolve.go).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, visit } from 'yaml';
import { goYamlReadsAsNonString, safeYaml } from '../../../src/yaml/safe-yaml.ts';

const readBack = (text: string) => ({ yaml12: parse(text), yaml11: parse(text, { version: '1.1' }) });

/** Every string written without quotes or block style, keys included. */
function plainStrings(text: string): string[] {
  const out: string[] = [];
  visit(parseDocument(text), { Scalar: (_key, node) => { if (node.type === 'PLAIN' && typeof node.value === 'string') out.push(node.value); } });
  return out;
}

// Strings a YAML 1.1 or 1.2 reader, or go-yaml v2, reads as something else when unquoted.
const TYPED_WHEN_PLAIN = [
  'yes', 'Yes', 'YES', 'y', 'Y', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'False', 'TRUE',
  '~', 'null', 'Null', 'NULL', '', '1_000', '1__0', '1_', '0x1F', '0X1F', '+0x1F', '-0x_1f', '0o17', '0O17', '017', '09', '0b101', '0B101', '-0b1', '0b1_0',
  '1e3', '1E+3', '1e_3', '1_e3', '.5', '-.5', '+.5', '.5_0', '1.', '1.5_0', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '2001-12-14', '2001-1-2',
  '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10', '1:20', '-1:20', '190:20:30.15', '=', '<<', '99999999999999999999999',
];

describe('safeYaml', () => {
  it.each(TYPED_WHEN_PLAIN)('quotes %j, as a value and as a key', (text) => {
    const rendered = safeYaml({ [text]: text, list: [text] });
    expect(plainStrings(rendered)).not.toContain(text);
    const { yaml12, yaml11 } = readBack(rendered);
    expect(yaml12).toEqual({ [text]: text, list: [text] });
    expect(yaml11).toEqual({ [text]: text, list: [text] });
  });

  it('leaves ordinary strings plain (the manifests stay readable)', () => {
    const rendered = safeYaml({ host: 'catalog.prod.svc.cluster.local', subset: 'version-v1', version: '1.2.3', ip: '10.0.0.1', prefix: '/api', name: 'v1_0', under: '_1' });
    expect(rendered).not.toContain('"');
    expect(rendered).not.toContain("'");
  });

  it('go-yaml v2 rules: only scalars it would type are flagged', () => {
    const goTyped = ['1_000', '1__0', '1_', '0X1F', '+0x1F', '-0x_1f', '0o17', '0O17', '017', '09', '0B101', '-0b1', '1e_3', '.5_0', '1.', '2001-1-2', '=', '<<', '99999999999999999999999'];
    for (const text of goTyped) expect(goYamlReadsAsNonString(text), text).toBe(true);
    for (const text of ['1.2.3', '10.0.0.1', '_1', 'v1', '0x', '0o8', '1e', '-', '+', '.', '1-2', '0x1p3', 'abc']) expect(goYamlReadsAsNonString(text), text).toBe(false);
  });

  it('any string, as key or value at any depth, reads back identically under YAML 1.1 and 1.2, and is never a plain scalar go-yaml would type', () => {
    const word = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom(...TYPED_WHEN_PLAIN), fc.stringMatching(/^[-+.0-9_eExXoObB:]{1,8}$/));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, word, fc.integer(), fc.boolean(), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(word, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(fc.property(fc.dictionary(word, value, { maxKeys: 6 }), (object) => {
      const rendered = safeYaml(object);
      const { yaml12, yaml11 } = readBack(rendered);
      expect(yaml12).toEqual(object);
      expect(yaml11).toEqual(object);
      for (const plain of plainStrings(rendered)) expect(goYamlReadsAsNonString(plain), plain).toBe(false);
    }), { numRuns: 500 });
  }, 60_000);
});
