// Changes one YAML node of a source text to a new value and keeps every other byte: comments, key
// order, quoting, flow style, anchors, blank lines and the other documents. Printing a parsed
// document again changes bytes outside the edited fields in most real files, so the Document API
// only locates nodes (their source ranges); the new content is rendered Istio-safe (safeYaml) and
// spliced into the original text at those ranges, at the indentation found there. Only what differs
// is touched: an equal subtree keeps its bytes, a changed scalar is replaced where it stands, a key or
// list item is inserted or removed as whole lines.
import { isAlias, isCollection, isMap, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { safeYaml } from './safe-yaml.ts';

/** A replacement of source text [start, end) by `text`. */
interface Splice {
  start: number;
  end: number;
  text: string;
  /** Order of creation: splices at one position are applied in this order. */
  order: number;
}

/** What the edit could not do without touching what it must keep (an anchor used elsewhere, a merge key). */
export class InPlaceEditError extends Error {}

export const YAML_READ_OPTIONS = { merge: true, uniqueKeys: false, prettyErrors: false } as const;

type Parsed = Document.Parsed;

interface Editor {
  src: string;
  doc: Parsed;
  splices: Splice[];
  /** The document's own way of writing a list under a key: indented (`key:\n  - a`) or not (`key:\n- a`). */
  indentSeq: boolean;
}

/**
 * `src` with the value of document `docIndex`'s node at `path` (keys and list indexes, empty for the
 * whole document's content) changed to `desired`. Returns `src` itself when nothing differs.
 * Throws InPlaceEditError when the result would not read back as intended.
 */
export function editInPlace(src: string, docIndex: number, path: ReadonlyArray<string | number>, desired: unknown): string {
  const docs = parseAllDocuments(src, YAML_READ_OPTIONS);
  if (!Array.isArray(docs)) throw new InPlaceEditError('the text is not a YAML stream');
  const doc = docs[docIndex];
  if (doc === undefined) throw new InPlaceEditError(`there is no document ${docIndex + 1}`);
  const node = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as Node | null | undefined;
  if (!node || !('range' in node) || node.range === undefined) throw new InPlaceEditError(`no node at ${path.join('.')}`);
  const editor: Editor = { src, doc, splices: [], indentSeq: seqIndentation(src, doc) };
  editNode(editor, node, desired, { inMapValue: path.length > 0 && typeof path.at(-1) === 'string', keyColumn: keyColumnOf(src, doc, path) });
  if (editor.splices.length === 0) return src;
  const out = applySplices(src, editor.splices);
  verify(src, out, docIndex, path, desired, docs.length);
  return out;
}

/** The plain JS value of a node, aliases and merge keys resolved. */
function jsValue(editor: Editor, node: Node): unknown {
  return node.toJS(editor.doc, { maxAliasCount: -1 });
}

interface Place {
  /** The node is the value of a block mapping's key (so block content must start on its own line). */
  inMapValue: boolean;
  /** Column of that key, when inMapValue. */
  keyColumn: number;
  /** Inside a flow collection: new content must be flow too. */
  inFlow?: boolean;
}

function editNode(editor: Editor, node: Node, desired: unknown, place: Place): void {
  if (deepEqual(jsValue(editor, node), desired)) return;
  if (isAlias(node) || isScalar(node)) {
    replaceWhole(editor, node, desired, place);
    return;
  }
  const flow = isCollection(node) && (node.flow === true || place.inFlow === true);
  if (flow && isMap(node) && isPlainObject(desired) && Object.keys(desired).length > 0 && node.items.length > 0) {
    diffFlowMap(editor, node, desired, place);
    return;
  }
  if (flow && isSeq(node) && Array.isArray(desired) && desired.length > 0 && node.items.length > 0) {
    diffFlowSeq(editor, node, desired, place);
    return;
  }
  if (flow) {
    replaceWhole(editor, node, desired, { ...place, inFlow: true });
    return;
  }
  if (isMap(node) && isPlainObject(desired) && Object.keys(desired).length > 0) {
    diffMap(editor, node, desired);
    return;
  }
  if (isSeq(node) && Array.isArray(desired) && desired.length > 0) {
    diffSeq(editor, node, desired);
    return;
  }
  replaceWhole(editor, node, desired, place);
}

function diffMap(editor: Editor, map: YAMLMap, desired: Record<string, unknown>): void {
  const current = jsValue(editor, map) as Record<string, unknown>;
  const own = new Set<string>();
  let lastEnd = map.range![0];
  let column = columnOf(editor.src, map.range![0]);
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const key = keyNode && isScalar(keyNode) ? String(keyNode.value) : undefined;
    const valueNode = pair.value as Node | null;
    const end = (valueNode ?? keyNode)?.range?.[1];
    if (end !== undefined) lastEnd = Math.max(lastEnd, end);
    if (keyNode?.range) column = columnOf(editor.src, keyNode.range[0]);
    if (key === undefined || key === '<<') continue;
    own.add(key);
    if (!(key in desired)) {
      removeLines(editor, keyNode!.range![0], end!);
      continue;
    }
    if (valueNode === null) {
      if (desired[key] !== null) insertAfterKey(editor, keyNode!, desired[key], column);
      continue;
    }
    editNode(editor, valueNode, desired[key], { inMapValue: true, keyColumn: column });
  }
  const added = Object.entries(desired).filter(([key, value]) => !own.has(key) && !(key in current && deepEqual(current[key], value)));
  if (added.length === 0) return;
  const at = lineEnd(editor.src, lastEnd);
  const block = indentBlock(renderBlock(editor, Object.fromEntries(added)), column, true);
  addSplice(editor, at, at, (at === editor.src.length && !editor.src.endsWith('\n') ? '\n' : '') + block);
}

/** A flow mapping (`{a: 1, b: 2}`): values changed where they stand, new keys appended; a removed
 * key re-renders the mapping (flow items share their separators). */
function diffFlowMap(editor: Editor, map: YAMLMap, desired: Record<string, unknown>, place: Place): void {
  const current = jsValue(editor, map) as Record<string, unknown>;
  const pairs = map.items.map((pair) => ({ key: pair.key as Node | null, value: pair.value as Node | null }));
  const keys = pairs.map((p) => (p.key && isScalar(p.key) ? String(p.key.value) : undefined));
  if (keys.some((key) => key === undefined || key === '<<' || !(key in desired)) || pairs.some((p) => p.value === null)) {
    replaceWhole(editor, map, desired, { ...place, inFlow: true });
    return;
  }
  pairs.forEach((p, i) => {
    editNode(editor, p.value!, desired[keys[i]!], { inMapValue: false, keyColumn: 0, inFlow: true });
  });
  const own = new Set(keys);
  const added = Object.entries(desired).filter(([key, value]) => !own.has(key) && !(key in current && deepEqual(current[key], value)));
  if (added.length === 0) return;
  const at = pairs.at(-1)!.value!.range![1];
  const text = added.map(([key, value]) => renderInline({ [key]: value }, true).replace(/^\{(.*)\}$/s, '$1')).join(', ');
  addSplice(editor, at, at, `, ${text}`);
}

/** A flow sequence (`[a, b]`): items changed where they stand, new ones inserted between; a removed
 * item re-renders the sequence. */
function diffFlowSeq(editor: Editor, seq: YAMLSeq, desired: unknown[], place: Place): void {
  const items = seq.items as Node[];
  const steps = alignSequences(items.map((item) => jsValue(editor, item)), desired);
  if (steps.some((step) => step.kind === 'remove')) {
    replaceWhole(editor, seq, desired, { ...place, inFlow: true });
    return;
  }
  for (const step of steps) {
    if (step.kind === 'change') editNode(editor, items[step.old]!, desired[step.new], { inMapValue: false, keyColumn: 0, inFlow: true });
    if (step.kind !== 'insert') continue;
    const text = renderInline(desired[step.new], true);
    if (step.beforeOld < items.length) addSplice(editor, items[step.beforeOld]!.range![0], items[step.beforeOld]!.range![0], `${text}, `);
    else addSplice(editor, items.at(-1)!.range![1], items.at(-1)!.range![1], `, ${text}`);
  }
}

function diffSeq(editor: Editor, seq: YAMLSeq, desired: unknown[]): void {
  const items = seq.items as Node[];
  const current = items.map((item) => jsValue(editor, item));
  const dashes = items.map((item) => dashBefore(editor.src, item.range![0]));
  const dashColumn = columnOf(editor.src, dashes[0]!);
  const contentColumn = columnOf(editor.src, items[0]!.range![0]);
  const gap = Math.max(1, contentColumn - dashColumn - 1);
  const insertItem = (at: number, value: unknown) => {
    const rendered = indentBlock(renderBlock(editor, value), dashColumn + 1 + gap, false);
    const text = `${' '.repeat(dashColumn)}-${' '.repeat(gap)}${rendered}`;
    addSplice(editor, at, at, (at === editor.src.length && !editor.src.endsWith('\n') ? '\n' : '') + text);
  };
  const afterItem = (i: number) => lineEnd(editor.src, items[i]!.range![1]);
  for (const step of alignSequences(current, desired)) {
    if (step.kind === 'keep') continue;
    if (step.kind === 'change') {
      editNode(editor, items[step.old]!, desired[step.new], { inMapValue: false, keyColumn: contentColumn });
    } else if (step.kind === 'remove') {
      removeLines(editor, dashes[step.old]!, items[step.old]!.range![1]);
    } else {
      const at = step.beforeOld === 0 ? lineStart(editor.src, dashes[0]!) : afterItem(step.beforeOld - 1);
      insertItem(at, desired[step.new]);
    }
  }
}

type AlignStep =
  | { kind: 'keep'; old: number; new: number }
  | { kind: 'change'; old: number; new: number }
  | { kind: 'remove'; old: number }
  /** Insert new item `new` before old item `beforeOld` (after the last old item when it equals the length). */
  | { kind: 'insert'; new: number; beforeOld: number };

/** Equal items always pair; an item that changed pairs with the old one it most resembles (same name,
 * same destination...), so a list edit touches the changed items and nothing around them. */
const EQUAL_SCORE = 1_000_000;

function resemblance(a: unknown, b: unknown): number {
  if (deepEqual(a, b)) return EQUAL_SCORE;
  if (!isPlainObject(a) || !isPlainObject(b)) return 0;
  let score = 0;
  for (const [key, value] of Object.entries(a)) {
    if (Object.hasOwn(b, key) && deepEqual(value, b[key])) score += key === 'name' ? 1_000 : 1;
  }
  // Two items named differently are different items, however alike.
  if (typeof a['name'] === 'string' && typeof b['name'] === 'string' && a['name'] !== b['name']) return 0;
  return score;
}

/** Old and new lists aligned by the order-keeping pairing of greatest total resemblance; unpaired
 * old items are removed, unpaired new ones inserted. */
export function alignSequences(old: unknown[], next: unknown[]): AlignStep[] {
  const n = old.length;
  const m = next.length;
  const score = old.map((a) => next.map((b) => resemblance(a, b)));
  const best: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const pair = score[i]![j]! > 0 ? score[i]![j]! + best[i + 1]![j + 1]! : -1;
      best[i]![j] = Math.max(pair, best[i + 1]![j]!, best[i]![j + 1]!);
    }
  }
  const steps: AlignStep[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && score[i]![j]! > 0 && best[i]![j] === score[i]![j]! + best[i + 1]![j + 1]!) {
      steps.push({ kind: score[i]![j] === EQUAL_SCORE ? 'keep' : 'change', old: i++, new: j++ });
    } else if (j < m && (i >= n || best[i]![j + 1]! >= best[i + 1]![j]!)) {
      steps.push({ kind: 'insert', new: j++, beforeOld: i });
    } else {
      steps.push({ kind: 'remove', old: i++ });
    }
  }
  return steps;
}

/** Replaces the node's own text (not its trailing comment) by a rendering of `value` that fits there. */
function replaceWhole(editor: Editor, node: Node, value: unknown, place: Place): void {
  const [start, valueEnd] = node.range!;
  const blockCollection = isCollection(node) && node.flow !== true && place.inFlow !== true;
  // A block collection's text ends with its line break, which stays.
  const end = blockCollection && editor.src[valueEnd - 1] === '\n' ? valueEnd - 1 : valueEnd;
  if (blockCollection && place.inMapValue) {
    // The old value starts on a line of its own below its key (comments may sit between): the new
    // one takes the same lines, indented under the key (a list may stand at the key's column).
    const column = Array.isArray(value) && value.length > 0 ? columnOf(editor.src, start) : Math.max(columnOf(editor.src, start), place.keyColumn + 2);
    const text = isNonEmptyCollection(value) ? indentBlock(renderBlock(editor, value), column, true).replace(/\n$/, '') : ' '.repeat(column) + renderInline(value, false);
    addSplice(editor, lineStart(editor.src, start), end, text);
    return;
  }
  if (place.inFlow === true || !isNonEmptyCollection(value)) {
    addSplice(editor, start, end, renderInline(value, place.inFlow === true));
    return;
  }
  if (place.inMapValue) {
    // `key: value` becomes `key:` and the block on the next lines, indented under the key.
    const block = indentBlock(renderBlock(editor, value), place.keyColumn + 2, true).replace(/\n$/, '');
    addSplice(editor, skipBackSpaces(editor.src, start), valueEnd, `\n${block}`);
    return;
  }
  // A list item or the document's content: the block can start where the old value did.
  addSplice(editor, start, end, indentBlock(renderBlock(editor, value), columnOf(editor.src, start), false).replace(/\n$/, ''));
}

function insertAfterKey(editor: Editor, keyNode: Node, value: unknown, keyColumn: number): void {
  const colon = editor.src.indexOf(':', keyNode.range![1]);
  if (!isNonEmptyCollection(value)) {
    addSplice(editor, colon + 1, colon + 1, ` ${renderInline(value, false)}`);
    return;
  }
  const block = indentBlock(renderBlock(editor, value), keyColumn + 2, true).replace(/\n$/, '');
  addSplice(editor, colon + 1, colon + 1, `\n${block}`);
}

/** Removes whole lines from the one holding `start` through the one holding `end - 1`. */
function removeLines(editor: Editor, start: number, end: number): void {
  addSplice(editor, lineStart(editor.src, start), lineEnd(editor.src, end), '');
}

function addSplice(editor: Editor, start: number, end: number, text: string): void {
  // A file with Windows line breaks keeps them in what we add.
  const lines = editor.src.includes('\r\n') ? text.replace(/\r?\n/g, '\r\n') : text;
  editor.splices.push({ start, end, text: lines, order: editor.splices.length });
}

function applySplices(src: string, splices: Splice[]): string {
  const sorted = [...splices].sort((a, b) => a.start - b.start || a.order - b.order);
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) throw new InPlaceEditError('overlapping edits');
    out += src.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + src.slice(at);
}

/** The edited document must read back as desired and every other document must be unchanged. */
function verify(before: string, after: string, docIndex: number, path: ReadonlyArray<string | number>, desired: unknown, count: number): void {
  const docs = parseAllDocuments(after, YAML_READ_OPTIONS);
  if (!Array.isArray(docs) || docs.length !== count) throw new InPlaceEditError('the edit changed the number of documents');
  const doc = docs[docIndex]!;
  if (doc.errors.length > 0) throw new InPlaceEditError(`the edit made invalid YAML: ${doc.errors[0]!.message}`);
  const value = path.length === 0 ? doc.toJS({ maxAliasCount: -1 }) : (doc.getIn(path, true) as Node | undefined)?.toJS(doc, { maxAliasCount: -1 });
  if (!deepEqual(value, desired)) {
    throw new InPlaceEditError(`${path.join('.') || 'the document'} would not read back as intended (an anchor, alias or merge key there is shared with other fields)`);
  }
  const beforeDocs = parseAllDocuments(before, YAML_READ_OPTIONS) as Parsed[];
  for (let i = 0; i < count; i++) {
    if (i === docIndex) continue;
    if (!deepEqual(beforeDocs[i]!.toJS({ maxAliasCount: -1 }), (docs[i] as Parsed).toJS({ maxAliasCount: -1 }))) {
      throw new InPlaceEditError(`the edit changed document ${i + 1}`);
    }
  }
}

function renderBlock(editor: Editor, value: unknown): string {
  return safeYaml(value, { inline: true, indentSeq: editor.indentSeq });
}

/** Whether the document's first block list under a key is indented below the key (yaml's default). */
function seqIndentation(src: string, doc: Parsed): boolean {
  let indented = true;
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (!key?.range || !value || !isSeq(value) || value.flow === true || value.items.length === 0) return undefined;
      const first = value.items[0] as Node;
      indented = columnOf(src, dashBefore(src, first.range![0])) > columnOf(src, key.range[0]);
      return visit.BREAK;
    },
  });
  return indented;
}

function renderInline(value: unknown, flow: boolean): string {
  return safeYaml(value, { flow: true, inline: true }).replace(/\n$/, '') || (flow ? '""' : '');
}

/** Every line after the first indented by `column`; the first too when `first`. */
function indentBlock(text: string, column: number, first: boolean): string {
  const pad = ' '.repeat(column);
  const lines = text.replace(/\n$/, '').split('\n');
  return `${lines.map((line, i) => (i === 0 && !first) || line === '' ? line : pad + line).join('\n')}\n`;
}

function lineStart(src: string, pos: number): number {
  return src.lastIndexOf('\n', pos - 1) + 1;
}

/** The position after the line break ending the line that holds `end - 1` (or `end` itself when it
 * already follows one), so a trailing comment on that line goes with it. */
function lineEnd(src: string, end: number): number {
  if (end > 0 && src[end - 1] === '\n') return end;
  const nl = src.indexOf('\n', end);
  return nl === -1 ? src.length : nl + 1;
}

function columnOf(src: string, pos: number): number {
  return pos - lineStart(src, pos);
}

function skipBackSpaces(src: string, pos: number): number {
  let p = pos;
  while (p > 0 && (src[p - 1] === ' ' || src[p - 1] === '\t')) p--;
  return p;
}

/** The `-` that introduces the list item starting at `pos`. */
function dashBefore(src: string, pos: number): number {
  let p = pos - 1;
  while (p >= 0 && src[p] !== '-') p--;
  return p;
}

function keyColumnOf(src: string, doc: Parsed, path: ReadonlyArray<string | number>): number {
  if (path.length === 0) return 0;
  const parent = (path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)) as Node | null;
  if (!parent || !isMap(parent)) return 0;
  const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path.at(-1)));
  const range = (pair?.key as Node | undefined)?.range;
  return range ? columnOf(src, range[0]) : 0;
}

function isNonEmptyCollection(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0) || (isPlainObject(value) && Object.keys(value).length > 0);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
