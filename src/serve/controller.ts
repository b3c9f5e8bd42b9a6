// The serve loop: sources → model → one translation per fleet key → validated snapshots in the cache.
// It keeps the last good state everywhere: an invalid object keeps its last valid version, an object whose
// new version breaks a route keeps its previous version, and a snapshot that fails validation is not published.
import { buildModel } from '../model/build';
import { IngressRouteMemo } from '../model/ingressroute-memo';
import { Diagnostics, type Diagnostic } from '../model/diagnostics';
import { translate } from '../translate';
import { modelOptionsOf, translateOptionsOf, reportUntranslatedStatic } from '../pipeline';
import { buildValidatedSnapshot, replaceResources, type Snapshot } from '../xds/snapshot';
import { applyEndpointChanges, ENDPOINT_KINDS } from '../model/endpoint-update';
import { loadAssignmentsFor } from '../translate/endpoints';
import { validateResource } from '../envoy/validate';
import type { ObjectIndex } from '../model/object-index';
import type { SnapshotCache } from '../xds/cache';
import type { FleetKey } from '../xds/fleets';
import type { Logger } from '../xds/stream-context';
import type { StaticConfig } from '../config/types';
import type { Model } from '../model/model';
import type { RawObject, SourceSnapshot } from '../sources/types';

const DEFAULT_KEY: FleetKey = { fleet: 'default', profile: 'envoy', entryPoints: [], key: 'default/envoy' };

const TRAEFIK_KINDS = new Set(['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'Middleware', 'MiddlewareTCP', 'TraefikService',
  'ServersTransport', 'ServersTransportTCP', 'TLSOption', 'TLSStore']);

function objectKey(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}/${namespace || 'default'}/${name ?? ''}`;
}

function rawKey(raw: RawObject): string {
  return objectKey(raw.kind, raw.metadata.namespace, raw.metadata.name);
}

/**
 * The objects of the last build that worked (parsed, and no error on them), by key when first asked: asked
 * only when an object breaks, so a build where nothing breaks (the usual case) never looks at every object.
 */
class GoodObjects {
  private byKey?: Map<string, RawObject>;

  constructor(private readonly accepted: Iterable<RawObject>, private readonly errorKeys: Set<string>) {}

  get(k: string): RawObject | undefined {
    if (this.errorKeys.has(k)) return undefined;
    if (!this.byKey) {
      this.byKey = new Map();
      for (const raw of this.accepted) this.byKey.set(rawKey(raw), raw);
    }
    return this.byKey.get(k);
  }
}

export interface BuildReport {
  at: number;
  durationMs: number;
  diagnostics: Diagnostic[];
  published: string[];
  encodedResources: number;
  encodedBytes: number;
  failed?: string;
  /** Built by the EndpointSlice fast path (only ClusterLoadAssignments changed). */
  fastPath?: boolean;
  /** IngressRoutes whose routers were reused from the previous build (nothing they read changed). */
  reusedIngressRoutes?: number;
}

/**
 * Objects added and removed between two snapshots (by identity). Sources keep their order, so comparing position
 * by position finds the few that changed without hashing every object: only the differing positions are
 * candidates, and an object found at a differing position of both lists merely moved (an object appears once
 * in a snapshot). Lists of different lengths, or with many differences, are compared as sets.
 */
export function objectChanges(prev: RawObject[], next: RawObject[]): { added: RawObject[]; removed: RawObject[] } {
  if (prev.length === next.length) {
    const was: RawObject[] = [];
    const now: RawObject[] = [];
    for (let i = 0; i < prev.length; i++) {
      if (prev[i] !== next[i]) {
        was.push(prev[i]);
        now.push(next[i]);
      }
    }
    if (was.length <= 64) {
      const wasSet = new Set(was);
      const nowSet = new Set(now);
      return { added: now.filter((o) => !wasSet.has(o)), removed: was.filter((o) => !nowSet.has(o)) };
    }
  }
  const before = new Set(prev);
  const after = new Set(next);
  return { added: next.filter((o) => !before.has(o)), removed: prev.filter((o) => !after.has(o)) };
}

export class Controller {
  private source?: SourceSnapshot;
  private model?: Model;
  private index?: ObjectIndex;
  /**
   * The last valid version of each object, found when one breaks: an object's version in the last build if it
   * worked there, else the earlier version that build served in its place (`heldBack`).
   */
  private lastBuildGood?: GoodObjects;
  private heldBack = new Map<string, RawObject>();
  /** Each IngressRoute's routers, reused by the next rebuild where nothing they read changed. */
  private readonly routerMemo?: IngressRouteMemo;
  private diagnostics: Diagnostic[] = [];
  private readonly listeners: ((r: BuildReport) => void)[] = [];
  lastReport?: BuildReport;
  /** True once a snapshot was built from fully synced sources. */
  ready = false;

  /** `incremental: false` rebuilds everything every time (the reference the incremental rebuild is tested against). */
  constructor(private readonly config: StaticConfig, private readonly cache: SnapshotCache, private readonly log: Logger, options: { incremental?: boolean } = {}) {
    if (options.incremental !== false) this.routerMemo = new IngressRouteMemo();
  }

  onBuild(f: (r: BuildReport) => void): void {
    this.listeners.push(f);
  }

  currentDiagnostics(): Diagnostic[] {
    return this.diagnostics;
  }

  currentModel(): Model | undefined {
    return this.model;
  }

  /** The source objects behind Envoy resources, for NACK reports ("Kind ns/name field"). */
  objectsOf(kind: string, names: string[]): string[] {
    const m = this.model;
    if (!m) return [];
    const out = new Set<string>();
    const add = (p: { kind: string; namespace: string; name: string; field?: string }) =>
      out.add(`${p.kind} ${p.namespace}/${p.name}${p.field ? ` ${p.field}` : ''}`);
    for (const n of names) {
      if (kind === 'clusters' || kind === 'endpoints') (m.clusters.get(n) ?? m.tcpClusters.get(n))?.provenance.forEach(add);
      else if (kind === 'secrets') m.certificates.get(n)?.provenance.forEach(add);
      else {
        // Listeners are named by entry point, route configurations `<ep>/http`, `<ep>/https/<option>`.
        const ep = n.split('/')[0];
        for (const r of m.httpRouters) if (r.entryPoints.includes(ep)) add(r.provenance);
        for (const r of [...m.tcpRouters, ...m.udpRouters] as { entryPoints: string[]; provenance: Parameters<typeof add>[0] }[]) {
          if (r.entryPoints.includes(ep)) add(r.provenance);
        }
      }
    }
    return [...out].sort();
  }

  /** New source state (already debounced by the caller): rebuild the model and every known fleet's snapshot. */
  update(source: SourceSnapshot): BuildReport {
    const prev = this.source;
    this.source = source;
    return (prev && this.endpointFastPath(prev, source)) || this.rebuild();
  }

  /**
   * When only EndpointSlices/Endpoints changed: update the affected clusters' endpoints and replace just
   * their ClusterLoadAssignments in each fleet's snapshot. Undefined when a full rebuild is needed.
   */
  private endpointFastPath(prev: SourceSnapshot, next: SourceSnapshot): BuildReport | undefined {
    if (!this.model || !this.index || next.problems.length !== prev.problems.length) return undefined;
    const start = process.hrtime.bigint();
    // The source says what changed when it knows (its informers' events); else every object is compared.
    const { added, removed } = next.changes && prev.generation !== undefined && next.changes.since === prev.generation
      ? next.changes
      : objectChanges(prev.objects, next.objects);
    if (added.length + removed.length === 0) return undefined;
    if (![...added, ...removed].every((o) => ENDPOINT_KINDS.has(o.kind))) return undefined;
    const diags = new Diagnostics();
    const up = applyEndpointChanges(this.index, this.model, added, removed, modelOptionsOf(this.config, diags));
    if (!up || diags.items.length) return undefined;
    const las = loadAssignmentsFor(up.model, up.changed);
    for (const la of las) {
      const problems = validateResource('envoy.config.endpoint.v3.ClusterLoadAssignment', la);
      if (problems.length) return undefined; // the full path reports it properly
    }
    this.model = up.model;
    this.index = up.index;
    const report: BuildReport = { at: Date.now(), durationMs: 0, diagnostics: this.diagnostics, published: [], encodedResources: 0, encodedBytes: 0, fastPath: true };
    const keys = this.cache.keys();
    if (!keys.some((k) => k.key === DEFAULT_KEY.key)) keys.unshift(DEFAULT_KEY);
    for (const fk of keys) {
      const base = this.cache.get(fk.key);
      if (!base || fk.profile !== 'envoy') {
        this.publish(fk, new Diagnostics(), report); // other profiles reshape endpoints: translate in full
        continue;
      }
      const mine = las.filter((la) => base.types.endpoints.resources.has(la.cluster_name!));
      const snap = replaceResources(base, 'endpoints', mine);
      report.encodedResources += snap === base ? 0 : snap.encodedCount;
      report.encodedBytes += snap === base ? 0 : snap.encodedBytes;
      if (snap !== base && this.cache.set(fk.key, snap)) report.published.push(fk.key);
    }
    report.durationMs = Number(process.hrtime.bigint() - start) / 1e6;
    this.lastReport = report;
    for (const f of this.listeners) f(report);
    return report;
  }

  rebuild(): BuildReport {
    const start = process.hrtime.bigint();
    const diags = new Diagnostics();
    reportUntranslatedStatic(this.config, diags);
    const opts = modelOptionsOf(this.config, diags);
    const source = this.source ?? { objects: [], problems: [] };
    // The earlier versions served in place of broken ones in this build: next build's `heldBack`.
    const held = new Map<string, RawObject>();
    const lastGood = (k: string) => this.heldBack.get(k) ?? this.lastBuildGood?.get(k);
    const fallback = (raw: RawObject) => {
      const k = rawKey(raw);
      const prev = lastGood(k);
      if (!prev || prev === raw) return undefined;
      held.set(k, prev);
      return prev;
    };
    let built = buildModel(source, opts, new Diagnostics(), fallback, this.routerMemo);
    // An object whose new version breaks (an error on it) while an earlier version worked: serve the earlier one.
    const broken = new Set(built.diagnostics.items
      .filter((d) => d.severity === 'error' && TRAEFIK_KINDS.has(d.kind))
      .map((d) => objectKey(d.kind, d.namespace, d.name)));
    const substituted: string[] = [];
    // Nothing broken (the usual case): nothing to substitute, no need to look at every object.
    const objects = !broken.size ? source.objects : source.objects.map((raw) => {
      const k = rawKey(raw);
      if (!broken.has(k)) return raw;
      const prev = fallback(raw);
      if (!prev) return raw;
      substituted.push(k);
      return prev;
    });
    if (substituted.length) {
      const first = built.diagnostics;
      built = buildModel({ objects, problems: source.problems }, opts, new Diagnostics(), fallback, this.routerMemo);
      for (const d of first.items) {
        if (d.severity === 'error' && substituted.includes(objectKey(d.kind, d.namespace, d.name))) {
          built.diagnostics.add({ ...d, message: `${d.message} (the previous version of this ${d.kind} is still served)` });
        }
      }
    }
    diags.merge(built.diagnostics);
    const errorKeys = new Set<string>();
    for (const d of diags.items) if (d.severity === 'error') errorKeys.add(objectKey(d.kind, d.namespace, d.name));
    this.lastBuildGood = new GoodObjects(built.index.accepted, errorKeys);
    this.heldBack = held;
    this.model = built.model;
    this.index = built.index;
    const report: BuildReport = { at: Date.now(), durationMs: 0, diagnostics: [], published: [], encodedResources: 0, encodedBytes: 0 };
    if (this.routerMemo) report.reusedIngressRoutes = this.routerMemo.reused;
    // The default fleet is always built, so its diagnostics are known before any node connects.
    const keys = this.cache.keys();
    if (!keys.some((k) => k.key === DEFAULT_KEY.key)) keys.unshift(DEFAULT_KEY);
    for (const fk of keys) this.publish(fk, diags, report);
    this.diagnostics = diags.sorted();
    report.diagnostics = this.diagnostics;
    report.durationMs = Number(process.hrtime.bigint() - start) / 1e6;
    this.ready = true;
    this.lastReport = report;
    for (const f of this.listeners) f(report);
    return report;
  }

  /** Called by the cache the first time a node of a new fleet key connects. */
  provide(fk: FleetKey): void {
    if (!this.model) return; // built with the first rebuild
    const diags = new Diagnostics();
    const report: BuildReport = { at: Date.now(), durationMs: 0, diagnostics: [], published: [], encodedResources: 0, encodedBytes: 0 };
    this.publish(fk, diags, report);
    if (diags.items.length) {
      this.diagnostics = [...this.diagnostics, ...diags.sorted()];
    }
  }

  private publish(fk: FleetKey, diags: Diagnostics, report: BuildReport): void {
    if (!this.model) return;
    const t = translate(this.model, translateOptionsOf(this.config, fk.profile, fk.entryPoints));
    diags.merge(t.diagnostics);
    // Validation and encoding in one pass; resources unchanged since the last published snapshot are reused as they are.
    let built: ReturnType<typeof buildValidatedSnapshot>;
    try {
      built = buildValidatedSnapshot(t.resources, this.cache.get(fk.key));
    } catch (e) {
      const msg = `snapshot for fleet ${fk.key} not published: ${(e as Error).message}`;
      this.log.error(msg, { fleet: fk.key });
      report.failed = msg;
      return;
    }
    const problems = built.problems;
    if (problems.length || !built.snapshot) {
      // Never publish what Envoy would reject: the last good snapshot keeps serving.
      const msg = `snapshot for fleet ${fk.key} not published: ${problems.length} problem(s), first: ${problems[0].resource} ${problems[0].path ?? ''} ${problems[0].message}`;
      this.log.error(msg, { fleet: fk.key });
      for (const p of problems) diags.error({ kind: 'Envoy', name: p.resource }, p.path, p.message);
      report.failed = msg;
      return;
    }
    const snap: Snapshot = built.snapshot;
    report.encodedResources += snap.encodedCount;
    report.encodedBytes += snap.encodedBytes;
    if (this.cache.set(fk.key, snap)) {
      report.published.push(fk.key);
      this.log.info('snapshot published', { fleet: fk.key, version: snap.version, encoded: snap.encodedCount });
    }
  }
}
