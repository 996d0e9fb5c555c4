// The layers of src/, lowest first. A file may import from its own layer and from any layer below
// it, never from one above it nor from another layer of the same rank (action and cli are siblings).
// A layer is a folder under src/ (or a single file such as errors.ts). layering.test.ts enforces it.
//
// Why this order (it follows what each layer needs, not the other way round):
// - errors, then YAML and canonical JSON: no domain knowledge.
// - istio: pure edits and validation of Istio objects (Istio's own rules, e.g. its RE2 regexes).
// - analysis: query templates, the check registry (one file a check type), statistics, verdicts.
//   It sits below spec because the spec validates each check by the rules its check file gives.
// - spec: the Canary spec: schema, parsing, defaults, validation.
// - plan: spec + live objects → stages. routing: one backend a routing API (VirtualService +
//   DestinationRule first). core: the rollout state, its codec, transitions and the ports.
// - engine drives the rollout through the ports and hands each state to a port; report (above it,
//   so the engine cannot render) turns states into markdown; adapters implement the ports; app
//   wires adapters to the engine and renders the report; action and cli are the entries.
export const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts'],
  ['yaml', 'json'],
  ['istio'],
  ['analysis'],
  ['spec'],
  ['plan'],
  ['routing'],
  ['core'],
  ['engine'],
  ['report'],
  ['adapters'],
  ['app'],
  ['action', 'cli'],
];
