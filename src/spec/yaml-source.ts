// Reading YAML text into documents that remember where every node came from.
import { isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { InputProblem } from '../errors.ts';
import { MAX_DEPTH, TOO_DEEP, tooDeep, shortPath } from './depth.ts';
import { formatPath, locate, type PathSegment } from './locate.ts';
import type { PathProblem } from './problem.ts';

export interface SourceDocument {
  document: Document;
  /** 1-based position of the document in the file. */
  index: number;
}

export interface YamlSource {
  file?: string;
  lines: LineCounter;
  documents: SourceDocument[];
  /** Syntax errors, already located. */
  problems: InputProblem[];
}

/** A document with nothing in it (e.g. after a trailing `---`). */
function isEmpty(document: Document): boolean {
  const contents = document.contents;
  return contents === null || (isScalar(contents) && contents.value === null && contents.srcToken === undefined);
}

/** Parses every document; syntax errors become problems with their line and column. Empty documents are skipped. */
export function readYaml(text: string, file?: string): YamlSource {
  const lines = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: true });
  const parsed = Array.isArray(all) ? all : [];
  const problems: InputProblem[] = [];
  for (const doc of parsed) {
    for (const error of doc.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      // The parser runs out of stack on very deep nesting; say what is wrong, not how it failed.
      const said = /call stack/i.test(message) ? `nested too deeply; expected at most ${MAX_DEPTH} levels of lists and mappings` : `malformed YAML: ${message}`;
      problems.push({ file, line, column: col, path: '', message: said });
    }
  }
  const documents = parsed
    .map((document, i) => ({ document, index: i + 1 }))
    .filter(({ document }) => !isEmpty(document));
  return { file, lines, documents, problems };
}

/** A path problem at its place in the source. */
export function locatedProblem(source: YamlSource, document: Document, problem: PathProblem): InputProblem {
  const at = locate(document, source.lines, problem.path, problem.atKey);
  return { file: source.file, line: at?.line, column: at?.column, path: formatPath(problem.path), message: problem.message };
}

/** The document as plain data; an alias loop, too deep a nesting or similar becomes a problem instead of an exception. */
export function plainData(source: YamlSource, document: Document): { data: unknown } | { problem: InputProblem } {
  const problem = (path: PathSegment[], message: string) => {
    const at = locate(document, source.lines, path);
    // The line and column point at the deep value; the path names where the nesting starts.
    return { problem: { file: source.file, line: at?.line, column: at?.column, path: shortPath(path), message } };
  };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const message = e instanceof RangeError ? `nested too deeply; expected at most ${MAX_DEPTH} levels of lists and mappings` : `malformed YAML: ${e instanceof Error ? e.message : String(e)}`;
    return problem([], message);
  }
  const deep = tooDeep(data);
  return deep ? problem(deep, TOO_DEEP) : { data };
}
