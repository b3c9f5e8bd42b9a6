// Diagnostics: every problem found anywhere in the pipeline, tied to the object and field that caused it.

export type Severity = 'error' | 'warning' | 'info';

/** Where in a file something was written (1-based line and column). */
export interface SourcePos {
  file: string;
  line?: number;
  column?: number;
}

export interface Diagnostic {
  severity: Severity;
  /** Kubernetes kind of the offending object (`IngressRoute`), or `StaticConfig`, `File`. */
  kind: string;
  namespace?: string;
  name?: string;
  /** Field path inside the object, e.g. `spec.routes[0].match`. */
  field?: string;
  message: string;
  /** `file:line:col` when the object came from a file. */
  source?: string;
}

/** The identity of an object a diagnostic is about, and how to locate its fields. */
export interface DiagnosticSubject {
  kind: string;
  namespace?: string;
  name?: string;
  /** Returns the position of a field path (dotted, with [i] indexes) in the source file, if known. */
  locate?: (field: string | undefined) => SourcePos | undefined;
}

export function formatPos(pos: SourcePos | undefined): string | undefined {
  if (!pos) return undefined;
  if (pos.line === undefined) return pos.file;
  return `${pos.file}:${pos.line}:${pos.column ?? 1}`;
}

/** A sink for diagnostics. Order of insertion is kept; `sorted()` gives the deterministic order used in output. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  report(severity: Severity, subject: DiagnosticSubject, field: string | undefined, message: string): void {
    // Key order is the output order: who, where, what.
    const d = { severity, kind: subject.kind } as Diagnostic;
    if (subject.namespace) d.namespace = subject.namespace;
    if (subject.name) d.name = subject.name;
    if (field) d.field = field;
    d.message = message;
    const src = formatPos(subject.locate?.(field));
    if (src) d.source = src;
    this.items.push(d);
  }

  error(subject: DiagnosticSubject, field: string | undefined, message: string): void {
    this.report('error', subject, field, message);
  }

  warn(subject: DiagnosticSubject, field: string | undefined, message: string): void {
    this.report('warning', subject, field, message);
  }

  info(subject: DiagnosticSubject, field: string | undefined, message: string): void {
    this.report('info', subject, field, message);
  }

  merge(other: Diagnostics | Diagnostic[]): void {
    const list = other instanceof Diagnostics ? other.items : other;
    for (const d of list) this.items.push(d);
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  /** Deterministic order: by source position when known, then kind/namespace/name/field/message. Duplicates removed. */
  sorted(): Diagnostic[] {
    // Duplicates (over half of a rebuild's diagnostics) are found among those at the same source position,
    // field by field, which is cheaper than a key of every field; only those without a position need that key.
    const atSource = new Map<string, Diagnostic[]>();
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const d of this.items) {
      if (d.source === undefined) {
        const key = dedupeKey(d);
        if (seen.has(key)) continue;
        seen.add(key);
      } else {
        const same = atSource.get(d.source);
        if (same === undefined) atSource.set(d.source, [d]);
        else if (hasSameAtSource(same, d)) continue;
        else same.push(d);
      }
      out.push(d);
    }
    // compareDiagnostics with each source split once, not at every comparison (thousands of diagnostics per rebuild).
    const decorated: Decorated[] = new Array(out.length);
    for (let i = 0; i < out.length; i++) decorated[i] = { d: out[i], s: splitSource(out[i].source) };
    decorated.sort(compareDecorated);
    for (let i = 0; i < out.length; i++) out[i] = decorated[i].d;
    return out;
  }
}

const sevRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Identity of a diagnostic for deduplication: its fields joined by NUL (absent ones as SOH). A field holding
 * either control character would make two keys collide, so those take the JSON form instead (a rebuild sorts
 * thousands of diagnostics: a JSON array per item cost more than the sort).
 */
function dedupeKey(d: Diagnostic): string {
  const fields = [d.severity, d.kind, d.namespace, d.name, d.field, d.message, d.source];
  let key = '';
  for (const f of fields) {
    if (f !== undefined && /[\u0000\u0001]/.test(f)) return `\u0002${JSON.stringify(fields)}`;
    key += f === undefined ? '\u0001\u0000' : `${f}\u0000`;
  }
  return key;
}

/** Whether the list holds a diagnostic equal to d (all at d's source). */
function hasSameAtSource(list: Diagnostic[], d: Diagnostic): boolean {
  for (let i = 0; i < list.length; i++) if (sameAtSource(list[i], d)) return true;
  return false;
}

/** A diagnostic with its source split, for sorting. */
interface Decorated {
  d: Diagnostic;
  s: [string, number, number];
}

// Module functions rather than closures made per call: sorted() runs once per build, and the optimised code of a
// closure made per call is held only by its closures, so a full collection between builds drops it (see
// docs/performance.md, *What makes it fast*).
function compareDecorated(x: Decorated, y: Decorated): number {
  return compareSplit(x.d, x.s, y.d, y.s);
}

/** Equal diagnostics, given the same source. */
function sameAtSource(a: Diagnostic, b: Diagnostic): boolean {
  return a.message === b.message && a.name === b.name && a.field === b.field && a.namespace === b.namespace &&
    a.kind === b.kind && a.severity === b.severity;
}

function splitSource(s: string | undefined): [string, number, number] {
  if (!s) return ['', 0, 0];
  const m = /^(.*):(\d+):(\d+)$/.exec(s);
  if (!m) return [s, 0, 0];
  return [m[1], Number(m[2]), Number(m[3])];
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return compareSplit(a, splitSource(a.source), b, splitSource(b.source));
}

function compareSplit(a: Diagnostic, [fa, la, ca]: [string, number, number], b: Diagnostic, [fb, lb, cb]: [string, number, number]): number {
  return (
    cmp(fa, fb) || la - lb || ca - cb ||
    cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name ?? '', b.name ?? '') ||
    cmp(a.field ?? '', b.field ?? '') || sevRank[a.severity] - sevRank[b.severity] || cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compiler-style one-line form: `file:line:col: error: IngressRoute default/foo: spec.routes[0].match: message`. */
export function formatDiagnosticLine(d: Diagnostic): string {
  const obj = d.name ? `${d.kind} ${d.namespace ? d.namespace + '/' : ''}${d.name}` : d.kind;
  const parts = [d.source ? `${d.source}: ` : '', `${d.severity}: `, obj, d.field ? `: ${d.field}` : '', `: ${d.message}`];
  return parts.join('');
}
