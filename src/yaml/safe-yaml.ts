// The one YAML writer: every manifest, plan file or spec we write goes through safeYaml, so a string
// is written so that every reader that matters reads back the same string. Kubernetes tooling,
// istioctl, Argo CD and Flux decode with go-yaml v2 rules (sigs.k8s.io/yaml → goyaml.v2 resolve.go),
// which are YAML 1.1 with Go's own number syntax; other tools read YAML 1.2. A plain scalar any of
// them would resolve to a bool, number, null, timestamp or merge key is quoted instead.
import { Document, stringify, type ScalarTag, type Tags } from 'yaml';

/** The first characters for which go-yaml v2 tries a number or a timestamp (its resolve table's hints). */
const NUMBER_HINT = /^[-+.0-9]/;
/** strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b, a leading 0 for octal, any case), as go-yaml tries it. */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/;
/** go-yaml's yamlStyleFloat, also what strconv.ParseFloat accepts for a scalar starting with '.'. */
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** go-yaml's quick timestamp check (four digits and '-'); anything it might parse is quoted. */
const TIMESTAMP_START = /^[0-9]{4}-/;
/** YAML 1.1's merge key and value indicator. */
const YAML11_INDICATOR = /^(?:<<|=)$/;

/** Does go-yaml v2 (or YAML 1.1) read this plain scalar as anything but the string? */
export function goYamlReadsAsNonString(text: string): boolean {
  if (YAML11_INDICATOR.test(text)) return true;
  if (!NUMBER_HINT.test(text)) return false;
  // go-yaml removes every '_' before it tries a number.
  const digits = text.replaceAll('_', '');
  return GO_INT.test(digits) || GO_FLOAT.test(digits) || TIMESTAMP_START.test(text);
}

/** A RegExp whose test is goYamlReadsAsNonString: the yaml package asks each tag's `test` whether a string must be quoted. */
class GoYamlScalar extends RegExp {
  constructor() {
    super('(?:)');
  }
  override test(text: string): boolean {
    return goYamlReadsAsNonString(text);
  }
}

/** Never chosen to write a value (identify is false): it only marks strings to quote. */
const GO_YAML_SCALARS: ScalarTag = {
  tag: 'tag:istio-canary,2026:go-yaml-non-string',
  default: true,
  identify: () => false,
  test: new GoYamlScalar(),
  resolve: (text: string) => text,
};

/** The tags a plain string must not match besides YAML 1.2 core's: YAML 1.1's and go-yaml's. Only used to
 * choose quotes (the `compat` option), never to write or read a value. */
const COMPAT: Tags = [...new Document(null, { version: '1.1' }).schema.tags, GO_YAML_SCALARS];

/**
 * `value` as a YAML document that YAML 1.2 (core), YAML 1.1 and go-yaml v2 readers all read back
 * as `value`: strings any of them would type otherwise are quoted, no anchors or aliases, no line folding.
 */
export function safeYaml(value: unknown, style: SafeYamlStyle = {}): string {
  return stringify(value, {
    compat: COMPAT,
    lineWidth: 0,
    aliasDuplicateObjects: false,
    // Multi-line strings double-quoted instead of as block scalars: a block scalar's indentation
    // depends on where it is written, which a caller splicing text into a file cannot promise.
    ...(style.inline === true || style.flow === true ? { blockQuote: false } : {}),
    ...(style.flow === true ? { collectionStyle: 'flow' as const, flowCollectionPadding: false } : {}),
    ...(style.indentSeq === false ? { indentSeq: false } : {}),
  });
}

export interface SafeYamlStyle {
  /** Every collection in flow style (`{a: 1}`, `[a]`), for a value written inside a flow collection. */
  flow?: boolean;
  /** No block scalars: multi-line strings double-quoted. */
  inline?: boolean;
  /** `false`: block sequences under a key not indented (`key:\n- a`, as kubectl writes them). */
  indentSeq?: boolean;
}
