// Memo of each IngressRoute's HTTP routers across model builds (incremental rebuild). An IngressRoute is built
// once while its reads are logged: every index lookup (collection, key, the typed object found), every TLS
// options lookup, and each cluster and certificate it found, created or added its provenance to; its
// diagnostics are collected apart. On the next build, if every logged lookup still finds the same thing
// (typed objects keep their identity while their source object is unchanged: parseObjectCached), its routers
// are reused and its cluster/certificate registrations and diagnostics replayed, in time proportional to its
// reads. A lookup the log cannot express (walking a whole collection, a TraefikService, a cluster made by
// code that is not memoised) marks the IngressRoute as not memoisable: it is then built in full every time.
import { Diagnostics, type Diagnostic } from './diagnostics';
import { ObjectIndex } from './object-index';
import type { HttpRouter, TlsCertificate, UpstreamCluster } from './model';
import type { IngressRouteObj } from './crds/types';
import type { TlsModel } from './tls-options';

/** A cluster or certificate: registered by name, shared by the routes that use it, each adding its provenance. */
type Registered = { provenance: unknown[] };

/**
 * Routers kept by the memo: never changed after they are built, and the same object for as long as nothing
 * their IngressRoute read changes, so the translation may keep per-router results on them (translate/http/router-memo.ts).
 */
const settled = new WeakSet<HttpRouter>();

export function isSettledRouter(router: HttpRouter): boolean {
  return settled.has(router);
}

/** Who made a registered object of the current build: the memo entry whose run or replay created it. */
const makers = new WeakMap<object, Entry>();

interface IndexRead {
  collection: string;
  key: string;
  /** What the lookup found (for a Set, whether it holds the key). */
  value: unknown;
}

/** One name of a cluster map or certificate store, as the IngressRoute first saw it, and what it did there. */
interface StoreUse<V extends Registered> {
  name: string;
  /** The memo entry that made the object found there; undefined = absent. */
  maker?: Entry;
  /** Provenance this IngressRoute added to the object it found. */
  added: unknown[];
  /** The object it created there (provenance as the IngressRoute left it); copied on every replay. */
  created?: V;
}

interface Entry {
  ir: IngressRouteObj;
  routers: HttpRouter[];
  diagnostics: Diagnostic[];
  reads: IndexRead[];
  tlsOptions: [string, boolean][];
  clusters: StoreUse<UpstreamCluster>[];
  certificates: StoreUse<TlsCertificate>[];
}

/** The part of the build context an IngressRoute reads and writes (http-routers.ts's HttpBuildContext). */
export interface MemoContext {
  index: ObjectIndex;
  diags: Diagnostics;
  clusters: Map<string, UpstreamCluster>;
  certificates: Map<string, TlsCertificate>;
  tls: TlsModel;
}

/** Same value for a lookup: the same object, or arrays of the same objects (slicesByService is rebuilt each time). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What one IngressRoute's build read and did, written by the build's logged views while it runs. */
interface RunLog {
  /** It did something the log cannot express: it is not memoised. */
  tainted: boolean;
  reads: IndexRead[];
  tlsOptions: [string, boolean][];
  clusters: StoreRun<UpstreamCluster>;
  certificates: StoreRun<TlsCertificate>;
}

/** The first use of each name of a cluster map or certificate store, and the names it created, in order. */
interface StoreRun<V extends Registered> {
  first: Map<string, { before: V | undefined; length: number }>;
  createdOrder: string[];
}

function newRunLog(): RunLog {
  return {
    tainted: false,
    reads: [],
    tlsOptions: [],
    clusters: { first: new Map(), createdOrder: [] },
    certificates: { first: new Map(), createdOrder: [] },
  };
}

/** A log that is never read: the views write to it between two IngressRoutes (emptied after each run). */
const IDLE_LOG = newRunLog();

function emptyIdleLog(): void {
  IDLE_LOG.reads.length = 0;
  IDLE_LOG.tlsOptions.length = 0;
  IDLE_LOG.clusters.first.clear();
  IDLE_LOG.clusters.createdOrder.length = 0;
  IDLE_LOG.certificates.first.clear();
  IDLE_LOG.certificates.createdOrder.length = 0;
}

/**
 * A collection seen through the recorder: what the log cannot follow (a walk, the size, a write other than a
 * logged one) goes to the real collection and marks the current run untracked. Shared by the index's
 * collections and the cluster and certificate stores.
 */
abstract class LoggedView {
  constructor(
    protected readonly real: Map<any, any> | Set<any>,
    protected readonly recorder: Recorder,
  ) {}

  /** The real collection, for what the log cannot follow. */
  protected untracked(): any {
    this.recorder.log.tainted = true;
    return this.real;
  }

  delete(k: any): boolean {
    return this.untracked().delete(k);
  }

  clear(): void {
    this.untracked().clear();
  }

  forEach(f: (value: any, key: any, collection: any) => void, thisArg?: unknown): void {
    this.untracked().forEach(f, thisArg);
  }

  get size(): number {
    return this.untracked().size;
  }

  keys(): IterableIterator<any> {
    return this.untracked().keys();
  }

  values(): IterableIterator<any> {
    return this.untracked().values();
  }

  entries(): IterableIterator<any> {
    return this.untracked().entries();
  }

  [Symbol.iterator](): IterableIterator<any> {
    return this.untracked()[Symbol.iterator]();
  }
}

/**
 * A cluster map or certificate store seen through the current run's log: get/has/set log the first use of
 * the name (writes go through to the real map); anything else marks the run untracked.
 */
class LoggedStore<V extends Registered> extends LoggedView implements Map<string, V> {
  declare protected readonly real: Map<string, V>;

  constructor(
    real: Map<string, V>,
    recorder: Recorder,
    private readonly which: 'clusters' | 'certificates',
  ) {
    super(real, recorder);
  }

  private run(): StoreRun<V> {
    return this.recorder.log[this.which] as unknown as StoreRun<V>;
  }

  private touch(name: string): void {
    const first = this.run().first;
    if (first.has(name)) return;
    const before = this.real.get(name);
    first.set(name, { before, length: before ? before.provenance.length : 0 });
  }

  get(k: string): V | undefined {
    this.touch(k);
    return this.real.get(k);
  }

  has(k: string): boolean {
    this.touch(k);
    return this.real.has(k);
  }

  set(k: string, v: V): this {
    this.touch(k);
    if (!this.real.has(k)) this.run().createdOrder.push(k);
    this.real.set(k, v);
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}

/** The uses of a store by the run, once the IngressRoute is built; undefined when one cannot be replayed. */
function storeUses<V extends Registered>(real: Map<string, V>, run: StoreRun<V>): StoreUse<V>[] | undefined {
  const out: StoreUse<V>[] = [];
  const created = new Map<string, StoreUse<V>>();
  for (const [name, { before, length }] of run.first) {
    const now = real.get(name);
    if (before) {
      const maker = makers.get(before);
      if (!maker || now !== before) return undefined;
      out.push({ name, maker, added: before.provenance.slice(length) });
    } else if (now) {
      created.set(name, { name, added: [], created: { ...now, provenance: [...now.provenance] } });
    } else out.push({ name, added: [] });
  }
  // Replayed creations keep the order of the map's insertions.
  for (const name of run.createdOrder) out.push(created.get(name)!);
  return out;
}

/** Checks a store against its logged uses (before any replay write). */
function storeValid<V extends Registered>(real: Map<string, V>, uses: StoreUse<V>[]): boolean {
  for (const u of uses) {
    const now = real.get(u.name);
    if (u.maker ? !now || makers.get(now) !== u.maker : now !== undefined) return false;
  }
  return true;
}

function replayStore<V extends Registered>(real: Map<string, V>, uses: StoreUse<V>[], entry: Entry): void {
  for (const u of uses) {
    if (u.created) {
      const obj = { ...u.created, provenance: [...u.created.provenance] };
      real.set(u.name, obj);
      makers.set(obj, entry);
    } else if (u.added.length) real.get(u.name)!.provenance.push(...u.added);
  }
}

/**
 * The memo itself, kept by a long-lived caller (the serve loop's Controller) across builds with the same
 * static options.
 */
export class IngressRouteMemo {
  /** By IngressRoute object: the serve loop may build twice per change (with an object's last valid version). */
  private entries = new Map<IngressRouteObj, Entry>();
  private used = new Map<IngressRouteObj, Entry>();
  private previouslyUsed = new Map<IngressRouteObj, Entry>();
  private optionsKey?: string;
  /** The logged views of the current build (made on its first recording). */
  private recorder?: Recorder;
  /** IngressRoutes of the last build whose routers were reused, and built (recorded or not memoisable). */
  reused = 0;
  built = 0;

  /** Starts a build: a change of static options forgets everything. */
  begin(optionsKey: string): void {
    if (optionsKey !== this.optionsKey) this.entries = this.used = this.previouslyUsed = new Map();
    this.optionsKey = optionsKey;
    this.recorder = undefined;
    this.reused = this.built = 0;
  }

  /** Ends a build: entries used by neither this build nor the one before are dropped. */
  end(): void {
    this.entries = new Map([...this.previouslyUsed, ...this.used]);
    this.previouslyUsed = this.used;
    this.used = new Map();
    // The recorder stays until the next build (it holds that build's index and maps, which the caller keeps
    // anyway): while one lives, V8 keeps its hidden classes, and the code that reads through it stays optimised.
  }

  /**
   * The IngressRoute's routers: replayed from the memo when every logged read still holds, else built by
   * `build` with a recording context (or the real one when it cannot be memoised).
   */
  routers(ctx: MemoContext, ir: IngressRouteObj, build: (ctx: MemoContext, untracked: () => void) => HttpRouter[]): HttpRouter[] {
    const prev = this.entries.get(ir);
    if (prev && this.valid(ctx, prev)) {
      this.replay(ctx, prev);
      this.used.set(ir, prev);
      this.reused++;
      return prev.routers;
    }
    this.built++;
    return this.record(ctx, ir, build);
  }

  private valid(ctx: MemoContext, e: Entry): boolean {
    const index = ctx.index as unknown as Record<string, Map<string, unknown> | Set<string>>;
    for (const r of e.reads) {
      const coll = index[r.collection];
      const now = coll instanceof Set ? coll.has(r.key) : coll.get(r.key);
      if (!same(now, r.value)) return false;
    }
    for (const [id, had] of e.tlsOptions) if (ctx.tls.options.has(id) !== had) return false;
    return storeValid(ctx.clusters, e.clusters) && storeValid(ctx.certificates, e.certificates);
  }

  private replay(ctx: MemoContext, e: Entry): void {
    replayStore(ctx.clusters, e.clusters, e);
    replayStore(ctx.certificates, e.certificates, e);
    ctx.diags.merge(e.diagnostics);
  }

  private record(ctx: MemoContext, ir: IngressRouteObj, build: (ctx: MemoContext, untracked: () => void) => HttpRouter[]): HttpRouter[] {
    if (this.recorder?.real !== ctx) this.recorder = new Recorder(ctx);
    const rec = this.recorder;
    const log = (rec.log = newRunLog());
    const diags = new Diagnostics();
    let routers: HttpRouter[];
    try {
      routers = build(rec.context(diags), rec.taint);
    } finally {
      rec.log = IDLE_LOG;
      emptyIdleLog(); // nothing should read through the views between runs; if something did, it is not kept
    }
    ctx.diags.merge(diags);
    const clusterUses = log.tainted ? undefined : storeUses(ctx.clusters, log.clusters);
    const certificateUses = log.tainted ? undefined : storeUses(ctx.certificates, log.certificates);
    if (!clusterUses || !certificateUses) return routers;
    const entry: Entry = { ir, routers, diagnostics: diags.items, reads: log.reads, tlsOptions: log.tlsOptions, clusters: clusterUses, certificates: certificateUses };
    for (const u of clusterUses) if (u.created) makers.set(ctx.clusters.get(u.name)!, entry);
    for (const u of certificateUses) if (u.created) makers.set(ctx.certificates.get(u.name)!, entry);
    this.entries.set(ir, entry);
    this.used.set(ir, entry);
    for (const r of routers) settled.add(r);
    return routers;
  }
}

/**
 * The logged views of one build's context, made once per build and shared by the IngressRoutes it records:
 * each run points `log` at its own RunLog. (Views made per IngressRoute cost more than the lookups they log,
 * and their hidden classes, made anew every build, made V8 discard optimised code after each collection.)
 */
class Recorder {
  log: RunLog = IDLE_LOG;
  readonly index: ObjectIndex;
  readonly clusters: LoggedStore<UpstreamCluster>;
  readonly certificates: LoggedStore<TlsCertificate>;
  readonly tls: TlsModel;
  /** Marks the current run untracked (a lookup the log cannot express). */
  readonly taint = (): void => {
    this.log.tainted = true;
  };

  constructor(readonly real: MemoContext) {
    this.index = indexView(real.index, this);
    this.clusters = new LoggedStore(real.clusters, this, 'clusters');
    this.certificates = new LoggedStore(real.certificates, this, 'certificates');
    this.tls = tlsView(real.tls, this);
  }

  /** The context one IngressRoute is built with. */
  context(diags: Diagnostics): MemoContext {
    return { index: this.index, diags, clusters: this.clusters, certificates: this.certificates, tls: this.tls };
  }
}

/**
 * The index seen through the recorder: an ObjectIndex (same fields, so the same hidden class as the real one)
 * whose collections log their lookups; the namespace checks are the real index's.
 */
function indexView(index: ObjectIndex, rec: Recorder): ObjectIndex {
  const view = new ObjectIndex();
  const fields = view as unknown as Record<string, unknown>;
  for (const [prop, value] of Object.entries(index)) {
    fields[prop] = value instanceof Map || value instanceof Set ? new LoggedCollection(prop, value, rec) : value;
  }
  return view;
}

/**
 * A collection of the index seen through the recorder: get/has are logged with what they found; anything
 * else (a walk over the collection) marks the run untracked.
 */
class LoggedCollection extends LoggedView {
  /** The real collection is a Map (else a Set), told once rather than per lookup. */
  private readonly isMap: boolean;

  constructor(
    private readonly collection: string,
    real: Map<string, unknown> | Set<unknown>,
    recorder: Recorder,
  ) {
    super(real, recorder);
    this.isMap = real instanceof Map;
  }

  get(k: string): unknown {
    if (!this.isMap) return this.untracked().get(k);
    const v = (this.real as Map<string, unknown>).get(k);
    this.recorder.log.reads.push({ collection: this.collection, key: k, value: v });
    return v;
  }

  has(k: string): boolean {
    // A Map's read is logged with what it holds, so that a replaced object under the same key is a change.
    const found = this.isMap ? (this.real as Map<string, unknown>).get(k) : this.real.has(k);
    this.recorder.log.reads.push({ collection: this.collection, key: k, value: found });
    return this.isMap ? found !== undefined || this.real.has(k) : (found as boolean);
  }

  set(k: unknown, v: unknown): this {
    this.untracked().set(k, v);
    return this;
  }

  add(v: unknown): this {
    this.untracked().add(v);
    return this;
  }

  get [Symbol.toStringTag](): string {
    return this.real instanceof Set ? 'Set' : 'Map';
  }
}

/** The TLS model seen through the recorder: `options.has` is logged; anything else marks the run untracked. */
function tlsView(tls: TlsModel, rec: Recorder): TlsModel {
  const options = optionsView(tls.options, rec);
  return new Proxy(tls, {
    get(target, prop) {
      if (prop === 'options') return options;
      rec.log.tainted = true;
      return Reflect.get(target, prop, target);
    },
  });
}

function optionsView(real: TlsModel['options'], rec: Recorder): TlsModel['options'] {
  const has = (id: string): boolean => {
    const had = real.has(id);
    rec.log.tlsOptions.push([id, had]);
    return had;
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'has') return has;
      rec.log.tainted = true;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
