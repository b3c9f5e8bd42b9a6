// Watches manifest files and directories and hands the current object set to a callback on every change.
// Files are re-parsed only when their size or mtime changed; a file that no longer parses keeps its last
// good objects (with the problems reported), so one bad edit never takes routes away.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listManifestFiles, parseManifestText, SourceIOError } from './manifests';
import type { RawObject, SourceProblem, SourceSnapshot } from './types';
import type { Source } from './source';

interface FileState {
  stamp: string;
  objects: RawObject[];
  problems: SourceProblem[];
  /** Objects of the last version of the file that had no YAML error. */
  lastGood?: RawObject[];
}

export class ManifestWatcher implements Source {
  private readonly files = new Map<string, FileState>();
  private cached?: SourceSnapshot;
  private watchers: fs.FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private closed = false;

  private onChange: (s: SourceSnapshot) => void = () => undefined;
  private loaded = false;

  constructor(private readonly paths: string[], private readonly options: { watch?: boolean; pollMs?: number } = {}) {}

  /** Source: loads every file (throws SourceIOError for a missing path), then watches when asked to. */
  async start(onChange: () => void): Promise<void> {
    this.onChange = () => onChange();
    this.load();
    this.loaded = true;
    if (this.options.watch !== false) this.watch();
  }

  synced(): boolean {
    return this.loaded;
  }

  /** Reads every file; throws SourceIOError when a given path does not exist. */
  load(): SourceSnapshot {
    const files = listManifestFiles(this.paths);
    const seen = new Set(files);
    for (const f of [...this.files.keys()]) if (!seen.has(f)) this.dropFile(f);
    for (const f of files) this.refresh(f);
    return this.snapshot();
  }

  private refresh(file: string): void {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      this.dropFile(file);
      return;
    }
    const stamp = `${st.size}:${st.mtimeMs}`;
    const prev = this.files.get(file);
    if (prev && prev.stamp === stamp) return;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      this.setFile(file, { stamp, objects: prev?.lastGood ?? [], lastGood: prev?.lastGood, problems: [{ message: `cannot read: ${(e as Error).message}`, pos: { file } }] });
      return;
    }
    const parsed = parseManifestText(text, display(file));
    const broken = parsed.problems.some((p) => p.message.startsWith('YAML'));
    if (broken && prev?.lastGood) {
      const kept: SourceProblem[] = parsed.problems.map((p) => ({ ...p, message: `${p.message} (the file's last valid version is still served)` }));
      this.setFile(file, { stamp, objects: prev.lastGood, lastGood: prev.lastGood, problems: kept });
    } else {
      this.setFile(file, { stamp, objects: parsed.objects, problems: parsed.problems, lastGood: broken ? undefined : parsed.objects });
    }
  }

  private setFile(file: string, state: FileState): void {
    this.files.set(file, state);
    this.cached = undefined;
  }

  private dropFile(file: string): void {
    if (this.files.delete(file)) this.cached = undefined;
  }

  /** The same snapshot while no file changed (a merged source then sees this source unchanged). */
  snapshot(): SourceSnapshot {
    if (this.cached) return this.cached;
    const out: SourceSnapshot = { objects: [], problems: [] };
    for (const f of [...this.files.keys()].sort()) {
      const s = this.files.get(f)!;
      for (const o of s.objects) out.objects.push(o);
      for (const p of s.problems) out.problems.push(p);
    }
    return (this.cached = out);
  }

  /** Starts watching; every change (debounced by the caller) calls onChange with the whole current set. */
  /** Directory watches by path: one non-recursive watch per directory (see watch()). */
  private readonly dirWatches = new Map<string, fs.FSWatcher>();
  private trigger = (): void => {
    if (this.closed) return;
    // Coalesce editor bursts (write, rename, chmod) into one reload.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), 20);
  };

  /**
   * Watches every directory (a file's parent directory for single files) without `recursive`: Node 20's
   * recursive watch on Linux watches files one by one and goes deaf to a file once an editor (or a
   * ConfigMap update) replaces it by rename. Directory watches see every create, rename and write.
   */
  private watch(): void {
    this.syncDirWatches();
    if (this.options.pollMs) {
      const t = setInterval(() => this.reload(), this.options.pollMs);
      t.unref();
      this.watchers.push({ close: () => clearInterval(t) } as unknown as fs.FSWatcher);
    }
  }

  /** Adds watches for new directories and drops those of vanished ones (called after every reload). */
  private syncDirWatches(): void {
    if (this.closed) return;
    const dirs = new Set<string>();
    const walkDirs = (d: string) => {
      dirs.add(d);
      let ents: fs.Dirent[] = [];
      try {
        ents = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of ents) if (e.isDirectory() && !e.name.startsWith('.')) walkDirs(path.join(d, e.name));
    };
    for (const p of this.paths) {
      try {
        if (fs.statSync(p).isDirectory()) walkDirs(p);
        else dirs.add(path.dirname(p));
      } catch {
        dirs.add(path.dirname(p)); // the path may come back: watch where it would appear
      }
    }
    for (const [d, w] of this.dirWatches) {
      if (!dirs.has(d)) {
        w.close();
        this.dirWatches.delete(d);
      }
    }
    for (const d of dirs) {
      if (this.dirWatches.has(d)) continue;
      try {
        const w = fs.watch(d, () => this.trigger());
        w.on('error', () => {
          w.close();
          this.dirWatches.delete(d);
        });
        this.dirWatches.set(d, w);
      } catch {
        /* not there (yet) */
      }
    }
  }

  private reload(): void {
    if (this.closed) return;
    let before: string;
    try {
      before = this.fingerprint();
      this.load();
    } catch (e) {
      if (e instanceof SourceIOError) return; // the directory itself vanished: keep the last set
      throw e;
    }
    this.syncDirWatches();
    if (this.fingerprint() !== before) this.onChange(this.snapshot());
  }

  private fingerprint(): string {
    return [...this.files.entries()].map(([f, s]) => `${f}=${s.stamp}`).sort().join('|');
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    for (const w of this.dirWatches.values()) w.close();
    this.dirWatches.clear();
  }
}

function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
