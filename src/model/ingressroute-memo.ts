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

/** Records the first use of each name of a cluster map or certificate store (writes go through). */
class StoreLog<V extends Registered> {
  private readonly first = new Map<string, { before: V | undefined; length: number }>();
  private readonly createdOrder: string[] = [];
  readonly view: Map<string, V>;

  constructor(private readonly real: Map<string, V>, taint: () => void) {
    this.view = this.makeView(taint);
  }

  private touch(name: string): void {
    if (this.first.has(name)) return;
    const before = this.real.get(name);
    this.first.set(name, { before, length: before ? before.provenance.length : 0 });
  }

  private makeView(taint: () => void): Map<string, V> {
    const self = this;
    const real = this.real;
    // Made once per view, as methods (a named closure per call would cost more than the lookup, under tsx's keepNames).
    const logged = {
      get(k: string) {
        self.touch(k);
        return real.get(k);
      },
      has(k: string) {
        self.touch(k);
        return real.has(k);
      },
      set(k: string, v: V) {
        self.touch(k);
        if (!real.has(k)) self.createdOrder.push(k);
        real.set(k, v);
        return view;
      },
    };
    const view: Map<string, V> = new Proxy(real, {
      get(target, prop) {
        if (prop === 'get' || prop === 'has' || prop === 'set') return logged[prop];
        taint();
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return view;
  }

  /** The uses, once the IngressRoute is built; undefined when one cannot be replayed. */
  uses(): StoreUse<V>[] | undefined {
    const out: StoreUse<V>[] = [];
    const created = new Map<string, StoreUse<V>>();
    for (const [name, { before, length }] of this.first) {
      const now = this.real.get(name);
      if (before) {
        const maker = makers.get(before);
        if (!maker || now !== before) return undefined;
        out.push({ name, maker, added: before.provenance.slice(length) });
      } else if (now) {
        created.set(name, { name, added: [], created: { ...now, provenance: [...now.provenance] } });
      } else out.push({ name, added: [] });
    }
    // Replayed creations keep the order of the map's insertions.
    for (const name of this.createdOrder) out.push(created.get(name)!);
    return out;
  }
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
  /** IngressRoutes of the last build whose routers were reused, and built (recorded or not memoisable). */
  reused = 0;
  built = 0;

  /** Starts a build: a change of static options forgets everything. */
  begin(optionsKey: string): void {
    if (optionsKey !== this.optionsKey) this.entries = this.used = this.previouslyUsed = new Map();
    this.optionsKey = optionsKey;
    this.reused = this.built = 0;
  }

  /** Ends a build: entries used by neither this build nor the one before are dropped. */
  end(): void {
    this.entries = new Map([...this.previouslyUsed, ...this.used]);
    this.previouslyUsed = this.used;
    this.used = new Map();
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
    const log = {
      tainted: false,
      taint() {
        log.tainted = true;
      },
    };
    const taint = log.taint;
    const reads: IndexRead[] = [];
    const tlsOptions: [string, boolean][] = [];
    const clusters = new StoreLog(ctx.clusters, taint);
    const certificates = new StoreLog(ctx.certificates, taint);
    const diags = new Diagnostics();
    const recording: MemoContext = {
      ...ctx,
      index: indexView(ctx.index, reads, taint),
      diags,
      clusters: clusters.view,
      certificates: certificates.view,
      tls: tlsView(ctx.tls, tlsOptions, taint),
    };
    const routers = build(recording, taint);
    ctx.diags.merge(diags);
    const clusterUses = log.tainted ? undefined : clusters.uses();
    const certificateUses = log.tainted ? undefined : certificates.uses();
    if (!clusterUses || !certificateUses) return routers;
    const entry: Entry = { ir, routers, diagnostics: diags.items, reads, tlsOptions, clusters: clusterUses, certificates: certificateUses };
    for (const u of clusterUses) if (u.created) makers.set(ctx.clusters.get(u.name)!, entry);
    for (const u of certificateUses) if (u.created) makers.set(ctx.certificates.get(u.name)!, entry);
    this.entries.set(ir, entry);
    this.used.set(ir, entry);
    for (const r of routers) settled.add(r);
    return routers;
  }
}

/**
 * The index seen through a read log: collection lookups are logged, anything else marks the build untracked.
 * A view is made per IngressRoute, which reads a few of the collections: each is wrapped on first use, through
 * getters shared by the views of one index.
 */
function indexView(index: ObjectIndex, reads: IndexRead[], taint: () => void): ObjectIndex {
  const view = Object.create(viewPrototype(index)) as ViewState;
  view[LOG] = { reads, taint, wrapped: new Map() };
  return view as unknown as ObjectIndex;
}

const LOG = Symbol('read log');

interface ViewState {
  [LOG]: { reads: IndexRead[]; taint: () => void; wrapped: Map<string, unknown> };
}

const viewPrototypes = new WeakMap<ObjectIndex, object>();

function viewPrototype(index: ObjectIndex): object {
  let proto = viewPrototypes.get(index);
  if (proto) return proto;
  proto = Object.create(ObjectIndex.prototype) as object;
  const fields = index as unknown as Record<string, unknown>;
  for (const [prop, value] of Object.entries(index)) {
    if (value instanceof Map || value instanceof Set) {
      Object.defineProperty(proto, prop, {
        get(this: ViewState) {
          const log = this[LOG];
          let v = log.wrapped.get(prop);
          if (!v) log.wrapped.set(prop, (v = lookupView(prop, fields[prop] as Map<string, unknown> | Set<string>, log.reads, log.taint)));
          return v;
        },
      });
    } else {
      // watches/keeps: functions of the static options
      Object.defineProperty(proto, prop, { get: () => fields[prop] });
    }
  }
  viewPrototypes.set(index, proto);
  return proto;
}

function lookupView(collection: string, real: Map<string, unknown> | Set<string>, reads: IndexRead[], taint: () => void): unknown {
  const logged = {
    get(k: string) {
      const v = (real as Map<string, unknown>).get(k);
      reads.push({ collection, key: k, value: v });
      return v;
    },
    has(k: string) {
      const v = real instanceof Set ? real.has(k) : real.get(k);
      reads.push({ collection, key: k, value: v });
      return real.has(k);
    },
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'get' && target instanceof Map) return logged.get;
      if (prop === 'has') return logged.has;
      taint();
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function tlsView(tls: TlsModel, log: [string, boolean][], taint: () => void): TlsModel {
  let options: TlsModel['options'] | undefined;
  return new Proxy(tls, {
    get(target, prop) {
      // Made on first use: few IngressRoutes name TLS options.
      if (prop === 'options') return (options ??= optionsView(tls.options, log, taint));
      taint();
      return Reflect.get(target, prop, target);
    },
  });
}

function optionsView(real: TlsModel['options'], log: [string, boolean][], taint: () => void): TlsModel['options'] {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'has') {
        return (id: string) => {
          const had = target.has(id);
          log.push([id, had]);
          return had;
        };
      }
      taint();
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
