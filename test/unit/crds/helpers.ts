// Test helpers: RawObjects from small YAML strings, with a real `locate` (line/column from the YAML nodes).
import { LineCounter, parseAllDocuments, isNode } from 'yaml';
import { Diagnostics, type Diagnostic } from '../../../src/model/diagnostics';
import type { RawObject } from '../../../src/sources/types';
import { parseObject } from '../../../src/model/crds';
import type { AnyTypedObject } from '../../../src/model/crds/types';

function segments(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field))) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return out;
}

export function rawFromYaml(text: string, file = 'test.yaml'): RawObject[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  if (!Array.isArray(docs)) throw new Error('unexpected empty stream');
  return docs.map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors[0].message);
    const body = doc.toJS() as Record<string, unknown>;
    const start = lc.linePos(doc.contents?.range?.[0] ?? 0);
    const locate = (field: string | undefined) => {
      if (!field) return { file, line: start.line, column: start.col };
      const node = doc.getIn(segments(field), true);
      if (!isNode(node) || !node.range) return undefined;
      const p = lc.linePos(node.range[0]);
      return { file, line: p.line, column: p.col };
    };
    return {
      apiVersion: body.apiVersion as string,
      kind: body.kind as string,
      metadata: (body.metadata ?? {}) as RawObject['metadata'],
      body,
      origin: { file, line: start.line, column: start.col },
      locate,
    };
  });
}

export interface Parsed {
  obj: AnyTypedObject | undefined;
  diags: Diagnostic[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
  infos: Diagnostic[];
}

export function parseYaml(text: string): Parsed {
  const [raw] = rawFromYaml(text);
  return parseRaw(raw);
}

export function parseRaw(raw: RawObject): Parsed {
  const d = new Diagnostics();
  const obj = parseObject(raw, d);
  return {
    obj,
    diags: d.items,
    errors: d.items.filter((x) => x.severity === 'error'),
    warnings: d.items.filter((x) => x.severity === 'warning'),
    infos: d.items.filter((x) => x.severity === 'info'),
  };
}

/** Renders diagnostics for assertion messages. */
export function show(p: Parsed): string {
  return p.diags.map((d) => `${d.severity} ${d.field ?? ''} ${d.message} @${d.source ?? ''}`).join('\n');
}

/** Parses one object and asserts it was accepted with no errors and no warnings. */
export function expectClean(text: string): AnyTypedObject {
  const p = parseYaml(text);
  if (!p.obj || p.errors.length || p.warnings.length) {
    throw new Error(`expected a clean parse, got:\n${show(p)}`);
  }
  return p.obj;
}

/** Asserts a diagnostic with this severity and field exists and its message matches. */
export function expectDiag(p: Parsed, severity: Diagnostic['severity'], field: string | undefined, message: RegExp): Diagnostic {
  const d = p.diags.find((x) => x.severity === severity && x.field === field && message.test(x.message));
  if (!d) throw new Error(`no ${severity} at ${field ?? '(object)'} matching ${message}; got:\n${show(p)}`);
  return d;
}

/** Builds a Traefik object manifest around a spec written as YAML (indented by the caller at column 0). */
export function manifest(kind: string, spec: string, opts: { group?: string; name?: string; namespace?: string } = {}): string {
  const ns = opts.namespace === undefined ? '  namespace: default\n' : opts.namespace === '' ? '' : `  namespace: ${opts.namespace}\n`;
  const indented = spec
    .split('\n')
    .map((l) => (l.trim() ? '  ' + l : l))
    .join('\n');
  return `apiVersion: ${opts.group ?? 'traefik.io'}/v1alpha1
kind: ${kind}
metadata:
  name: ${opts.name ?? 'test'}
${ns}spec:
${indented}
`;
}
