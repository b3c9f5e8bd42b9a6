// The manifests source: Kubernetes objects from YAML/JSON files on disk (files or directories, recursively).
// It only loads objects and remembers where each field was written; it knows nothing of Traefik or Envoy.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Node as YamlNode, type Document } from 'yaml';
import type { SourcePos } from '../model/diagnostics';
import type { RawObject, SourceProblem, SourceSnapshot } from './types';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export class SourceIOError extends Error {}

/** Lists manifest files below the given paths, sorted, so output does not depend on directory order. */
export function listManifestFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      throw new SourceIOError(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (st.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return [...new Set(out)].sort();
}

function walk(dir: string, out: string[]): void {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (ent.name.startsWith('.')) continue; // editors' swap files, .git, Kubernetes' ..data symlinks
    const full = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(full, out);
    else if (MANIFEST_EXT.test(ent.name)) out.push(full);
  }
}

/** Loads every object of the given files and directories. Unreadable paths throw SourceIOError. */
export function loadManifests(paths: string[]): SourceSnapshot {
  const snap: SourceSnapshot = { objects: [], problems: [] };
  for (const file of listManifestFiles(paths)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new SourceIOError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const one = parseManifestText(text, displayPath(file));
    snap.objects.push(...one.objects);
    snap.problems.push(...one.problems);
  }
  return snap;
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Parses one file's text (multi-document YAML, or JSON) into raw objects and problems. */
export function parseManifestText(text: string, file: string): SourceSnapshot {
  const lc = new LineCounter();
  const snap: SourceSnapshot = { objects: [], problems: [] };
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const posAt = (offset: number): SourcePos => {
    const p = lc.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const docList = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // An empty stream parses to an EmptyStream; nothing to load.
    return snap;
  }
  docList.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        snap.problems.push({ message: `YAML syntax error: ${firstLine(err.message)}`, pos: posAt(err.pos[0]) });
      }
      return; // a broken document is dropped whole; its neighbours still load
    }
    if (doc.contents === null) return; // empty document (e.g. a trailing `---`)
    const start = posAt(doc.contents.range?.[0] ?? 0);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      snap.problems.push({ message: `YAML error: ${firstLine((e as Error).message)}`, pos: start });
      return;
    }
    if (value === null || value === undefined) return;
    const lazy: LazyDocument = { text, index, from: doc.range?.[0] ?? 0, to: doc.range?.[2] ?? text.length, contentsStart: doc.contents.range?.[0] ?? 0 };
    collectObjects(value, doc, lazy, [], start, posAt, snap);
  });
  return snap;
}

/**
 * Where a document is in its file's text. The syntax tree is not kept with the objects (it weighs about twenty
 * times the text: half a gigabyte for 10,000 IngressRoutes with their Services and EndpointSlices); positions
 * are looked up in a tree parsed again from the document's text when a diagnostic first needs one.
 */
interface LazyDocument {
  text: string;
  /** Index of the document in the file (fallback: parse the whole file again). */
  index: number;
  from: number;
  to: number;
  /** Offset of the document's contents in the file, to check that the document parses alone the same way. */
  contentsStart: number;
}

const YAML_OPTIONS = { uniqueKeys: true, prettyErrors: false } as const;
const recentDocuments = new Map<LazyDocument, { doc: Document; offset: number }>();

/** The document's syntax tree and the offset to add to its positions; the last few are kept. */
function syntaxTree(d: LazyDocument): { doc: Document; offset: number } | undefined {
  let hit = recentDocuments.get(d);
  if (hit) {
    recentDocuments.delete(d);
  } else {
    const alone = parseAllDocuments(d.text.slice(d.from, d.to), YAML_OPTIONS);
    const first = Array.isArray(alone) ? alone[0] : undefined;
    if (first && first.errors.length === 0 && (first.contents?.range?.[0] ?? -1) + d.from === d.contentsStart) {
      hit = { doc: first, offset: d.from };
    } else {
      const all = parseAllDocuments(d.text, YAML_OPTIONS);
      const doc = Array.isArray(all) ? all[d.index] : undefined;
      if (!doc) return undefined;
      hit = { doc, offset: 0 };
    }
    if (recentDocuments.size >= 64) recentDocuments.delete(recentDocuments.keys().next().value!);
  }
  recentDocuments.set(d, hit);
  return hit;
}

function collectObjects(
  value: unknown,
  doc: Document,
  lazy: LazyDocument,
  docPath: (string | number)[],
  start: SourcePos,
  posAt: (offset: number) => SourcePos,
  snap: SourceSnapshot,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    snap.problems.push({ message: 'a manifest document must be a mapping with apiVersion and kind', pos: start });
    return;
  }
  const obj = value as Record<string, unknown>;
  // `kind: List` (kubectl get -o yaml) and `*List` kinds carry their objects in `items`.
  if (typeof obj.kind === 'string' && /List$/.test(obj.kind) && Array.isArray(obj.items)) {
    obj.items.forEach((item, i) => {
      const itemPath = [...docPath, 'items', i];
      const node = doc.getIn(itemPath, true) as YamlNode | undefined;
      collectObjects(item, doc, lazy, itemPath, node?.range ? posAt(node.range[0]) : start, posAt, snap);
    });
    return;
  }
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || !obj.apiVersion || !obj.kind) {
    snap.problems.push({ message: 'a manifest document must have string fields apiVersion and kind', pos: start });
    return;
  }
  const metadata = (typeof obj.metadata === 'object' && obj.metadata !== null && !Array.isArray(obj.metadata)
    ? obj.metadata
    : {}) as RawObject['metadata'];
  snap.objects.push({
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata,
    body: obj,
    origin: start,
    locate: locator(lazy, docPath, start, posAt),
  });
}

/**
 * An object's field locator. Built outside collectObjects so that the closure does not hold the document's
 * syntax tree. Positions are asked again on every rebuild (diagnostics are rebuilt each time): remembered per field.
 */
function locator(lazy: LazyDocument, docPath: (string | number)[], start: SourcePos, posAt: (offset: number) => SourcePos): RawObject['locate'] {
  let located: Map<string | undefined, SourcePos> | undefined;
  return (field) => {
    let pos = located?.get(field);
    if (!pos) {
      const tree = syntaxTree(lazy);
      pos = (tree && locateField(tree.doc, docPath, field, (offset) => posAt(offset + tree.offset))) ?? start;
      (located ??= new Map()).set(field, pos);
    }
    return pos;
  };
}

/** Splits `spec.routes[0].match` into ['spec', 'routes', 0, 'match']. Quoted keys: `metadata.annotations["a.b/c"]`. */
export function splitFieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field)) !== null) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/** Position of a field: its key for mapping entries, the item for sequence entries; the deepest existing ancestor otherwise. */
function locateField(
  doc: Document,
  docPath: (string | number)[],
  field: string | undefined,
  posAt: (offset: number) => SourcePos,
): SourcePos | undefined {
  let node: unknown = docPath.length ? doc.getIn(docPath, true) : doc.contents;
  let best: number | undefined = (node as YamlNode | null)?.range?.[0];
  if (!field) return best === undefined ? undefined : posAt(best);
  for (const seg of splitFieldPath(field)) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as YamlNode;
      if (key.range) best = key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      if (item.range) best = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return best === undefined ? undefined : posAt(best);
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** Problems a source found, turned into diagnostics of kind `File`. */
export function problemToDiagnostic(p: SourceProblem) {
  return {
    severity: 'error' as const,
    kind: 'File',
    message: p.message,
    source: `${p.pos.file}:${p.pos.line ?? 1}:${p.pos.column ?? 1}`,
  };
}
