// The shape the API server enforces through Istio's CRD schema, for the fields istio-canary reads
// or writes (destination.host and mirror.host required, StringMatch one-of, weight int32...).
// A small schema of our own instead of @kubernetes-models/istio: that package types the whole API
// (large bundle) yet checks nothing of istiod's webhook, which we need to write ourselves anyway;
// the CRD's structural schema for these fields is a few lines. Unknown fields pass, as in the CRD.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const INT32 = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };

const stringMatch = {
  type: 'object',
  properties: { exact: { type: 'string' }, prefix: { type: 'string' }, regex: { type: 'string' } },
  oneOf: [
    { not: { anyOf: [{ required: ['exact'] }, { required: ['prefix'] }, { required: ['regex'] }] } },
    { required: ['exact'] },
    { required: ['prefix'] },
    { required: ['regex'] },
  ],
};

const destination = {
  type: 'object',
  required: ['host'],
  properties: {
    host: { type: 'string' },
    subset: { type: 'string' },
    port: { type: 'object', properties: { number: { type: 'integer', minimum: 0, maximum: 4294967295 } } },
  },
};

const percent = { type: 'object', properties: { value: { type: 'number' } } };

const matchRequest = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    uri: stringMatch,
    scheme: stringMatch,
    method: stringMatch,
    authority: stringMatch,
    headers: { type: 'object', additionalProperties: stringMatch },
    withoutHeaders: { type: 'object', additionalProperties: stringMatch },
    queryParams: { type: 'object', additionalProperties: stringMatch },
  },
};

const httpRoute = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    match: { type: 'array', items: matchRequest },
    route: {
      type: 'array',
      items: { type: 'object', required: ['destination'], properties: { destination, weight: INT32 } },
    },
    mirror: destination,
    mirrorPercentage: percent,
    mirrors: {
      type: 'array',
      items: { type: 'object', required: ['destination'], properties: { destination, percentage: percent } },
    },
  },
};

const metadata = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, namespace: { type: 'string' } } };
const apiVersion = { type: 'string', pattern: '^networking\\.istio\\.io/(v1|v1beta1|v1alpha3)$' };

export const virtualServiceSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion,
    kind: { const: 'VirtualService' },
    metadata,
    spec: {
      type: 'object',
      properties: {
        hosts: { type: 'array', items: { type: 'string' } },
        gateways: { type: 'array', items: { type: 'string' } },
        http: { type: 'array', items: httpRoute },
      },
    },
  },
};

export const destinationRuleSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion,
    kind: { const: 'DestinationRule' },
    metadata,
    spec: {
      type: 'object',
      required: ['host'],
      properties: {
        host: { type: 'string' },
        subsets: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
          },
        },
      },
    },
  },
};

export interface SchemaProblem {
  path: string;
  message: string;
}

const schemas = { VirtualService: virtualServiceSchema, DestinationRule: destinationRuleSchema };
type SchemaKind = keyof typeof schemas;

// Compiled on first use: compiling at import cost every start of the action ~45 ms, plan or not.
let ajv: Ajv | undefined;
const validators: Partial<Record<SchemaKind, ValidateFunction>> = {};

function validatorFor(kind: SchemaKind): ValidateFunction {
  ajv ??= new Ajv({ allErrors: true, strict: false });
  validators[kind] ??= ajv.compile(schemas[kind]);
  return validators[kind];
}

/** Problems of `obj` against the CRD shape of `kind`; empty when it conforms. */
export function schemaProblems(kind: SchemaKind, obj: unknown): SchemaProblem[] {
  const validate = validatorFor(kind);
  if (validate(obj)) return [];
  // Branch failures inside a one-of only restate the one-of error itself.
  return dedupe((validate.errors ?? []).filter((e) => !e.schemaPath.includes('/oneOf/')).map(toProblem));
}

function toProblem(e: ErrorObject): SchemaProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
  if (e.keyword === 'required') return { path: path ? `${path}.${e.params.missingProperty}` : String(e.params.missingProperty), message: 'is required' };
  if (e.keyword === 'oneOf') return { path, message: 'expected exactly one of exact, prefix, regex (or {} for "present")' };
  return { path, message: e.message ?? e.keyword };
}

function dedupe(list: SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
