// Loads the static configuration file (YAML or JSON) into a typed StaticConfig.
//
// Key names are matched case-insensitively, as Traefik's file loader (paerser) matches them against
// its struct fields; map keys (entry point names, metadata) keep their case. Values are read the way
// paerser reads them (a number where a string is expected is taken as text, "true"/"1" are booleans,
// a comma-separated string is a list). Nothing here throws on bad input: every problem is a
// diagnostic with file:line:col, and the broken key keeps its default. Only I/O errors throw.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, isSeq, parseDocument } from 'yaml';
import { Diagnostics } from '../model/diagnostics';
import { addressesConflict, defaultEntryPoints, formatAddress, INTERNAL_ENTRY_POINT, isBindableHost, parseAddress } from './entrypoints';
import * as K from './keys';
import { parseLabelSelector } from './labelselector';
import {
  Ctx,
  KIND,
  readBool,
  readDict,
  readDuration,
  readEnum,
  readGlob,
  readInt,
  readIPList,
  readList,
  readObject,
  readSection,
  readString,
  readStringList,
  plainObject,
} from './reader';
import type { Val } from './reader';
import { suggest } from './suggest';
import type {
  AdminConfig,
  CoreConfig,
  EntryPoint,
  EntryPointTLS,
  Fleet,
  FleetProfile,
  KubernetesCRDProvider,
  KubernetesFilterOptions,
  KubernetesIngressProvider,
  ListenAddress,
  LogLevel,
  ManifestsProvider,
  ProvidersConfig,
  RedirectEntryPoint,
  ServersTransportConfig,
  SpiffeConfig,
  StaticConfig,
  TCPServersTransportConfig,
  TLSDomain,
  TrustedIPsConfig,
  XdsConfig,
} from './types';

/** The config file could not be read (missing, unreadable, a directory). The CLI exits 2 on it. */
export class ConfigIOError extends Error {
  readonly path: string;
  override readonly cause?: unknown;
  constructor(message: string, filePath: string, cause?: unknown) {
    super(message);
    this.name = 'ConfigIOError';
    this.path = filePath;
    this.cause = cause;
  }
}

export interface LoadStaticConfigOptions {
  /** Path of the config file. With `text`, only names the source and anchors relative paths. */
  file?: string;
  /** Config text; when set, `file` is not read. */
  text?: string;
  /** `NAME=ADDRESS`: changes an entry point's address, or adds an entry point. Applied after the file. */
  entryPointOverrides?: string[];
}

export interface LoadStaticConfigResult {
  config: StaticConfig;
  diagnostics: Diagnostics;
}

/** Traefik's redirection priority default is MaxInt64-1; this keeps it above any realistic rule priority. */
const REDIRECT_PRIORITY_DEFAULT = Number.MAX_SAFE_INTEGER - 1;
const ENTRY_POINT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const FLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const NAMESPACE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOG_LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const PROFILES: FleetProfile[] = ['envoy', 'grpc', 'auto'];

// ---------------------------------------------------------------- defaults

const DEFAULT_ENTRY_POINTS: Array<[string, string]> = [
  ['web', ':80'],
  ['websecure', ':443'],
];

function newEntryPoint(name: string, address: ListenAddress, addressText: string): EntryPoint {
  return {
    name,
    address,
    addressText,
    asDefault: false,
    http: { middlewares: [] },
    forwardedHeaders: { trustedIPs: [], insecure: false },
    transport: { respondingTimeouts: { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000 } },
    udp: { timeout: 3_000 },
  };
}

function defaultEntryPointMap(): Record<string, EntryPoint> {
  const out: Record<string, EntryPoint> = {};
  for (const [name, addr] of DEFAULT_ENTRY_POINTS) out[name] = newEntryPoint(name, parseAddress(addr) as ListenAddress, addr);
  return out;
}

function defaultServersTransport(): ServersTransportConfig {
  return {
    insecureSkipVerify: false,
    rootCAs: [],
    maxIdleConnsPerHost: 200,
    forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
  };
}

function defaultTCPServersTransport(): TCPServersTransportConfig {
  return { dialTimeout: 30_000, dialKeepAlive: 15_000, terminationDelay: 100 };
}

function defaultFilterOptions(): KubernetesFilterOptions {
  return {
    namespaces: [],
    labelSelector: '',
    ingressClass: '',
    allowCrossNamespace: false,
    allowExternalNameServices: false,
    allowEmptyServices: false,
    nativeLBByDefault: false,
    disableClusterScopeResources: false,
  };
}

function defaultXds(): XdsConfig {
  return { address: { host: '127.0.0.1', port: 18000, protocol: 'tcp' }, addressText: '127.0.0.1:18000', insecure: false, maxMessageBytes: 33_554_432 };
}

function defaultAdmin(): AdminConfig {
  return { address: { host: '127.0.0.1', port: 9902, protocol: 'tcp' }, addressText: '127.0.0.1:9902' };
}

function defaultFleet(entryPoints: string[]): Fleet {
  return { name: 'default', match: { metadata: {} }, entryPoints, profile: 'auto' };
}

/** The configuration used when no file is given: web :80, websecure :443, xDS and admin on loopback, one fleet. */
export function defaultStaticConfig(): StaticConfig {
  const entryPoints = defaultEntryPointMap();
  return {
    entryPoints,
    serversTransport: defaultServersTransport(),
    tcpServersTransport: defaultTCPServersTransport(),
    core: { defaultRuleSyntax: 'v3' },
    providers: {},
    xds: defaultXds(),
    admin: defaultAdmin(),
    fleets: [defaultFleet(Object.keys(entryPoints))],
    logLevel: 'info',
  };
}

// ---------------------------------------------------------------- sections

/** An entry point while loading: the address may still be missing (an override can supply it). */
interface DraftEntryPoint {
  ep: Omit<EntryPoint, 'address' | 'addressText'> & { address?: ListenAddress; addressText?: string };
  /** Where the address was written, for later diagnostics. */
  addressVal?: Val;
  nameVal: Val;
  redirect?: { to: string; toVal: Val; scheme: string; permanent: boolean; priority: number };
  /** The override that set the address, if any. */
  overridden?: string;
}

function checkEntryPointAddress(a: ListenAddress): string | undefined {
  if (a.port === 0) return 'port must be between 1 and 65535 (an entry point needs a fixed port)';
  if (!isBindableHost(a.host)) {
    return `host "${a.host}" is not an IP address: Envoy listeners bind to IP addresses (leave the host empty, as in ":${a.port}", for all interfaces)`;
  }
  return undefined;
}

function parseEntryPoint(ctx: Ctx, name: string, v: Val): DraftEntryPoint {
  const base = newEntryPoint(name, { host: '', port: 0, protocol: 'tcp' }, '');
  const draft: DraftEntryPoint = {
    ep: { ...base, address: undefined, addressText: undefined },
    nameVal: { ...v, at: v.keyNode ?? v.at },
  };
  if (v.node === null) {
    ctx.error(draft.nameVal, `entry point "${name}" has no settings: address is required`);
    return draft;
  }
  const o = readObject(ctx, v, K.ENTRY_POINT_KEYS);
  if (!o) return draft;
  const ep = draft.ep;

  const addrVal = o.get('address');
  const addr = readString(ctx, addrVal);
  if (addr !== undefined && addrVal) {
    draft.addressVal = addrVal;
    const a = parseAddress(addr);
    if ('error' in a) ctx.error(addrVal, a.error);
    else {
      const bad = checkEntryPointAddress(a);
      if (bad) ctx.error(addrVal, bad);
      else {
        ep.address = a;
        ep.addressText = addr;
      }
    }
  } else if (!addrVal || addrVal.node === null) {
    ctx.error(addrVal ?? draft.nameVal, `entry point "${name}": address is required (e.g. ":8080", "[::]:443", ":53/udp")`);
  }

  ep.asDefault = readBool(ctx, o.get('asDefault')) ?? false;

  const httpVal = o.get('http');
  if (httpVal) {
    const h = readObject(ctx, httpVal, K.EP_HTTP_KEYS);
    if (h) {
      const tls = readSection(ctx, h.get('tls'));
      if (tls?.on) {
        const t = readObject(ctx, tls.body, K.EP_TLS_KEYS);
        if (t) ep.http.tls = readEntryPointTLS(ctx, t);
      }
      const red = h.get('redirections');
      if (red) {
        const r = readObject(ctx, red, K.EP_REDIRECTIONS_KEYS);
        const epVal = r?.get('entryPoint');
        if (r && (!epVal || epVal.node === null)) ctx.error(epVal ?? red, 'redirections needs entryPoint {to: ...}');
        if (epVal && epVal.node !== null) {
          const e = readObject(ctx, epVal, K.EP_REDIRECT_KEYS);
          if (e) {
            const toVal = e.get('to');
            const to = readString(ctx, toVal);
            const scheme = readString(ctx, e.get('scheme')) ?? 'https';
            const schemeOk = /^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme);
            if (!schemeOk) ctx.error(e.get('scheme') as Val, `invalid scheme "${scheme}"`);
            const permanent = readBool(ctx, e.get('permanent')) ?? true;
            const priority = readInt(ctx, e.get('priority'), Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ?? REDIRECT_PRIORITY_DEFAULT;
            if (to === undefined || to === '') {
              ctx.error(toVal ?? epVal, 'redirection needs "to": the target entry point, or ":port"');
            } else {
              draft.redirect = { to, toVal: toVal as Val, scheme: schemeOk ? scheme : 'https', permanent, priority };
            }
          }
        }
      }
      const mws = readStringList(ctx, h.get('middlewares'));
      if (mws) {
        for (const { value, val } of mws) {
          if (!/^[^@\s]+(@[A-Za-z0-9-]+)?$/.test(value)) ctx.error(val, `invalid middleware reference "${value}" (name or name@provider)`);
          else ep.http.middlewares.push(value);
        }
      }
    }
  }

  const fh = o.get('forwardedHeaders');
  if (fh) {
    const f = readObject(ctx, fh, K.FORWARDED_HEADERS_KEYS);
    if (f) ep.forwardedHeaders = readTrusted(ctx, f);
  }
  const pp = readSection(ctx, o.get('proxyProtocol'));
  if (pp?.on) {
    const p = readObject(ctx, pp.body, K.PROXY_PROTOCOL_KEYS);
    if (p) ep.proxyProtocol = readTrusted(ctx, p);
  }

  const tr = o.get('transport');
  if (tr) {
    const t = readObject(ctx, tr, K.EP_TRANSPORT_KEYS);
    const rt = t?.get('respondingTimeouts');
    if (rt) {
      const r = readObject(ctx, rt, K.RESPONDING_TIMEOUTS_KEYS);
      if (r) {
        const cur = ep.transport.respondingTimeouts;
        cur.readTimeout = readDuration(ctx, r.get('readTimeout')) ?? cur.readTimeout;
        cur.writeTimeout = readDuration(ctx, r.get('writeTimeout')) ?? cur.writeTimeout;
        cur.idleTimeout = readDuration(ctx, r.get('idleTimeout')) ?? cur.idleTimeout;
      }
    }
  }

  const udp = o.get('udp');
  if (udp) {
    const u = readObject(ctx, udp, K.EP_UDP_KEYS);
    if (u) ep.udp.timeout = readDuration(ctx, u.get('timeout')) ?? ep.udp.timeout;
  }

  if (ep.address?.protocol === 'udp') {
    for (const k of ['http', 'forwardedHeaders', 'proxyProtocol', 'transport'] as const) {
      const kv = o.get(k);
      if (kv && kv.node !== null) ctx.warn({ ...kv, at: kv.keyNode ?? kv.at }, `has no effect on the UDP entry point "${name}"`);
    }
  }
  return draft;
}

function readEntryPointTLS(ctx: Ctx, t: Map<string, Val>): EntryPointTLS {
  const out: EntryPointTLS = {
    options: readString(ctx, t.get('options')) ?? '',
    certResolver: readString(ctx, t.get('certResolver')) ?? '',
    domains: [],
  };
  if (out.certResolver !== '') {
    ctx.warn(t.get('certResolver') as Val, 'certificate resolvers (ACME) are not available in traefik-xds; certificates come from Kubernetes Secrets (TLSStore, secretName)');
  }
  const dv = t.get('domains');
  const items = dv ? readList(ctx, dv) : undefined;
  for (const it of items ?? []) {
    const d = readObject(ctx, it, K.TLS_DOMAIN_KEYS);
    if (!d) continue;
    const main = readString(ctx, d.get('main')) ?? '';
    const sans = (readStringList(ctx, d.get('sans')) ?? []).map((x) => x.value);
    if (main === '' && sans.length === 0) {
      ctx.error(it, 'a domain needs main (and optionally sans)');
      continue;
    }
    const dom: TLSDomain = { main, sans };
    out.domains.push(dom);
  }
  return out;
}

function readTrusted(ctx: Ctx, o: Map<string, Val>): TrustedIPsConfig {
  return { trustedIPs: readIPList(ctx, o.get('trustedIPs')) ?? [], insecure: readBool(ctx, o.get('insecure')) ?? false };
}

function readSpiffe(ctx: Ctx, v: Val | undefined): SpiffeConfig | undefined {
  const sec = readSection(ctx, v);
  if (!sec?.on) return undefined;
  const s = readObject(ctx, sec.body, K.SPIFFE_KEYS);
  if (!s) return undefined;
  const ids = (readStringList(ctx, s.get('ids')) ?? []).map((x) => x.value);
  for (const id of ids) {
    if (!id.startsWith('spiffe://')) ctx.error(s.get('ids') as Val, `SPIFFE ID "${id}" must start with spiffe://`);
  }
  return { ids: ids.filter((id) => id.startsWith('spiffe://')), trustDomain: readString(ctx, s.get('trustDomain')) ?? '' };
}

function readRootCAs(ctx: Ctx, v: Val | undefined): string[] {
  const list = readStringList(ctx, v) ?? [];
  const out: string[] = [];
  for (const { value, val } of list) {
    if (value === '') ctx.error(val, 'a root CA must be a file path or PEM content');
    else out.push(value);
  }
  return out;
}

function parseServersTransport(ctx: Ctx, v: Val): ServersTransportConfig {
  const out = defaultServersTransport();
  const o = readObject(ctx, v, K.SERVERS_TRANSPORT_KEYS);
  if (!o) return out;
  out.insecureSkipVerify = readBool(ctx, o.get('insecureSkipVerify')) ?? out.insecureSkipVerify;
  out.rootCAs = readRootCAs(ctx, o.get('rootCAs'));
  // Negative disables connection reuse in Traefik; 0 means Go's default.
  out.maxIdleConnsPerHost = readInt(ctx, o.get('maxIdleConnsPerHost'), -2147483648, 2147483647) ?? out.maxIdleConnsPerHost;
  const ftv = o.get('forwardingTimeouts');
  if (ftv) {
    const f = readObject(ctx, ftv, K.FORWARDING_TIMEOUTS_KEYS);
    if (f) {
      const ft = out.forwardingTimeouts;
      ft.dialTimeout = readDuration(ctx, f.get('dialTimeout')) ?? ft.dialTimeout;
      ft.responseHeaderTimeout = readDuration(ctx, f.get('responseHeaderTimeout')) ?? ft.responseHeaderTimeout;
      ft.idleConnTimeout = readDuration(ctx, f.get('idleConnTimeout')) ?? ft.idleConnTimeout;
    }
  }
  const sp = readSpiffe(ctx, o.get('spiffe'));
  if (sp) out.spiffe = sp;
  return out;
}

function parseTCPServersTransport(ctx: Ctx, v: Val): TCPServersTransportConfig {
  const out = defaultTCPServersTransport();
  const o = readObject(ctx, v, K.TCP_SERVERS_TRANSPORT_KEYS);
  if (!o) return out;
  out.dialTimeout = readDuration(ctx, o.get('dialTimeout')) ?? out.dialTimeout;
  out.dialKeepAlive = readDuration(ctx, o.get('dialKeepAlive'), true) ?? out.dialKeepAlive;
  out.terminationDelay = readDuration(ctx, o.get('terminationDelay'), true) ?? out.terminationDelay;
  const tls = readSection(ctx, o.get('tls'));
  if (tls?.on) {
    const t = readObject(ctx, tls.body, K.TCP_TLS_KEYS);
    if (t) {
      out.tls = { insecureSkipVerify: readBool(ctx, t.get('insecureSkipVerify')) ?? false, rootCAs: readRootCAs(ctx, t.get('rootCAs')) };
      const sp = readSpiffe(ctx, t.get('spiffe'));
      if (sp) out.tls.spiffe = sp;
    }
  }
  return out;
}

function parseCore(ctx: Ctx, v: Val): CoreConfig {
  const o = readObject(ctx, v, K.CORE_KEYS);
  return { defaultRuleSyntax: (o && readEnum(ctx, o.get('defaultRuleSyntax'), ['v3', 'v2'] as const)) || 'v3' };
}

/** The filter/allow options that are set (unset ones are left out so manifests can fall back). */
function readFilterOptions(ctx: Ctx, o: Map<string, Val>): Partial<KubernetesFilterOptions> {
  const out: Partial<KubernetesFilterOptions> = {};
  const ns = readNamespaces(ctx, o.get('namespaces'));
  if (ns) out.namespaces = ns;
  const sel = readString(ctx, o.get('labelSelector'));
  if (sel !== undefined) {
    const parsed = parseLabelSelector(sel);
    if ('error' in parsed) ctx.error(o.get('labelSelector') as Val, parsed.error);
    else out.labelSelector = sel;
  }
  const ic = readString(ctx, o.get('ingressClass'));
  if (ic !== undefined) out.ingressClass = ic;
  for (const k of ['allowCrossNamespace', 'allowExternalNameServices', 'allowEmptyServices', 'nativeLBByDefault', 'disableClusterScopeResources'] as const) {
    const b = readBool(ctx, o.get(k));
    if (b !== undefined) out[k] = b;
  }
  const cpv = o.get('crossProviderNamespaces');
  if (cpv && cpv.node !== null) {
    // An explicit empty list means "nobody", so keep [] apart from "not set".
    out.crossProviderNamespaces = isSeq(cpv.node) && cpv.node.items.length === 0 ? [] : (readNamespaces(ctx, cpv) ?? []);
  }
  return out;
}

function readNamespaces(ctx: Ctx, v: Val | undefined): string[] | undefined {
  const list = readStringList(ctx, v);
  if (!list) return undefined;
  const out: string[] = [];
  for (const { value, val } of list) {
    if (!NAMESPACE_NAME.test(value)) ctx.error(val, `"${value}" is not a valid namespace name`);
    else if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** An unset or refused endpoint stays out: the provider keeps its default ("", in-cluster). */
type KubernetesConnection = Pick<KubernetesCRDProvider, 'token' | 'certAuthFilePath' | 'throttleDuration'> & { endpoint?: string };

/** The API server connection both Kubernetes providers share: endpoint (an http(s) URL), token, CA file, throttle. */
function readKubernetesConnection(ctx: Ctx, o: Map<string, Val>): KubernetesConnection {
  const out: KubernetesConnection = { token: '', certAuthFilePath: '', throttleDuration: 0 };
  const endpoint = readString(ctx, o.get('endpoint'));
  if (endpoint !== undefined && endpoint !== '') {
    let ok = false;
    try {
      const u = new URL(endpoint);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) ctx.error(o.get('endpoint') as Val, `endpoint "${endpoint}" must be an http:// or https:// URL`);
    else out.endpoint = endpoint;
  }
  out.token = readString(ctx, o.get('token')) ?? '';
  out.certAuthFilePath = readString(ctx, o.get('certAuthFilePath')) ?? '';
  out.throttleDuration = readDuration(ctx, o.get('throttleDuration')) ?? 0;
  return out;
}

function parseKubernetesCRD(ctx: Ctx, body: Val): { provider: KubernetesCRDProvider; set: Partial<KubernetesFilterOptions> } {
  const provider: KubernetesCRDProvider = { ...defaultFilterOptions(), endpoint: '', token: '', certAuthFilePath: '', throttleDuration: 0 };
  const o = readObject(ctx, body, K.KUBERNETES_CRD_KEYS);
  if (!o) return { provider, set: {} };
  Object.assign(provider, readKubernetesConnection(ctx, o));
  const set = readFilterOptions(ctx, o);
  Object.assign(provider, set);
  return { provider, set };
}

export function defaultKubernetesIngress(): KubernetesIngressProvider {
  return {
    endpoint: '', token: '', certAuthFilePath: '', namespaces: [], labelSelector: '', ingressClass: '', throttleDuration: 0,
    allowEmptyServices: false, allowExternalNameServices: false, disableIngressClassLookup: false, disableClusterScopeResources: false,
    nativeLBByDefault: false, strictPrefixMatching: false, legacyAnnotations: 'none', defaultIngressClass: 'auto', disablePassHostHeaders: false, enablePassTLSCert: false,
  };
}

/** `providers.kubernetesIngress` (traefik-ingress.md §1.2, §3.8, §7). */
function parseKubernetesIngress(ctx: Ctx, body: Val): KubernetesIngressProvider {
  const out = defaultKubernetesIngress();
  const o = readObject(ctx, body, K.KUBERNETES_INGRESS_KEYS);
  if (!o) return out;
  Object.assign(out, readKubernetesConnection(ctx, o));
  const f = readFilterOptions(ctx, o);
  if (f.namespaces) out.namespaces = f.namespaces;
  if (f.labelSelector !== undefined) out.labelSelector = f.labelSelector;
  if (f.ingressClass !== undefined) out.ingressClass = f.ingressClass;
  if (f.crossProviderNamespaces) out.crossProviderNamespaces = f.crossProviderNamespaces;
  for (const k of ['allowEmptyServices', 'allowExternalNameServices', 'nativeLBByDefault', 'disableClusterScopeResources'] as const) {
    if (f[k] !== undefined) out[k] = f[k]!;
  }
  for (const k of ['disableIngressClassLookup', 'strictPrefixMatching', 'disablePassHostHeaders', 'enablePassTLSCert'] as const) {
    const b = readBool(ctx, o.get(k));
    if (b !== undefined) out[k] = b;
  }
  out.legacyAnnotations = readEnum(ctx, o.get('legacyAnnotations'), ['none', 'v1.7'] as const) ?? 'none';
  out.defaultIngressClass = readEnum(ctx, o.get('defaultIngressClass'), ['auto', 'none'] as const) ?? 'auto';
  for (const k of ['disablePassHostHeaders', 'enablePassTLSCert'] as const) {
    if (out[k] && out.legacyAnnotations !== 'v1.7') {
      ctx.error(o.get(k) as Val, `${k} is a Traefik 1.7 option: it needs legacyAnnotations: v1.7`);
      out[k] = false;
    }
  }
  if (out.enablePassTLSCert) ctx.warn(o.get('enablePassTLSCert') as Val, 'accepted, but pass-tls-cert (upstream TLS from the entry point) is not translated by traefik-xds');
  if (out.disableIngressClassLookup) {
    ctx.warn(o.get('disableIngressClassLookup') as Val, 'deprecated in Traefik for disableClusterScopeResources; Ingresses with spec.ingressClassName are ignored');
  }
  const ep = o.get('ingressEndpoint');
  if (ep && ep.node !== null) {
    const e = readObject(ctx, ep, K.INGRESS_ENDPOINT_KEYS);
    if (e) {
      const cfg = { ip: readString(ctx, e.get('ip')) ?? '', hostname: readString(ctx, e.get('hostname')) ?? '', publishedService: readString(ctx, e.get('publishedService')) ?? '' };
      if (cfg.publishedService && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cfg.publishedService)) {
        ctx.error(e.get('publishedService') as Val, `publishedService "${cfg.publishedService}" must be namespace/name`);
      } else if (!cfg.publishedService && !cfg.ip && !cfg.hostname) {
        ctx.error(ep, 'publishedService or ip or hostname must be defined');
      } else out.ingressEndpoint = cfg;
    }
  }
  return out;
}

function parseManifests(ctx: Ctx, body: Val, baseDir: string, crdSet: Partial<KubernetesFilterOptions>): ManifestsProvider {
  const out: ManifestsProvider = { ...defaultFilterOptions(), ...crdSet, watch: true };
  const o = readObject(ctx, body, K.MANIFESTS_KEYS);
  if (!o) return out;
  const dir = readString(ctx, o.get('directory'));
  const file = readString(ctx, o.get('filename'));
  if (dir !== undefined && dir !== '' && file !== undefined && file !== '') {
    ctx.error(o.get('filename') as Val, 'set either directory or filename, not both (directory is used)');
  }
  if (dir !== undefined && dir !== '') out.directory = path.resolve(baseDir, dir);
  else if (file !== undefined && file !== '') out.filename = path.resolve(baseDir, file);
  out.watch = readBool(ctx, o.get('watch')) ?? true;
  Object.assign(out, readFilterOptions(ctx, o));
  return out;
}

function parseProviders(ctx: Ctx, v: Val, baseDir: string): ProvidersConfig {
  const out: ProvidersConfig = {};
  const o = readObject(ctx, v, K.PROVIDERS_KEYS);
  if (!o) return out;
  let crdSet: Partial<KubernetesFilterOptions> = {};
  const crd = readSection(ctx, o.get('kubernetesCRD'));
  if (crd?.on) {
    const r = parseKubernetesCRD(ctx, crd.body);
    out.kubernetesCRD = r.provider;
    crdSet = r.set;
  }
  const ing = readSection(ctx, o.get('kubernetesIngress'));
  if (ing?.on) out.kubernetesIngress = parseKubernetesIngress(ctx, ing.body);
  const man = readSection(ctx, o.get('manifests'));
  if (man?.on) out.manifests = parseManifests(ctx, man.body, baseDir, crdSet);
  return out;
}

function parseListen(ctx: Ctx, v: Val | undefined, fallback: { address: ListenAddress; addressText: string }): { address: ListenAddress; addressText: string } {
  const s = readString(ctx, v);
  if (s === undefined || !v) return fallback;
  const a = parseAddress(s);
  if ('error' in a) {
    ctx.error(v, a.error);
    return fallback;
  }
  if (a.protocol !== 'tcp') {
    ctx.error(v, `must be a TCP address, not "${s}"`);
    return fallback;
  }
  return { address: a, addressText: s };
}

function parseXds(ctx: Ctx, v: Val): XdsConfig {
  const out = defaultXds();
  const o = readObject(ctx, v, K.XDS_KEYS);
  if (!o) return out;
  Object.assign(out, parseListen(ctx, o.get('address'), out));
  const tv = o.get('tls');
  if (tv) {
    const t = readObject(ctx, tv, K.XDS_TLS_KEYS);
    if (t) {
      const certFile = readString(ctx, t.get('certFile')) ?? '';
      const keyFile = readString(ctx, t.get('keyFile')) ?? '';
      const clientCAFile = readString(ctx, t.get('clientCAFile')) ?? '';
      if (certFile === '' && keyFile === '') {
        if (clientCAFile !== '') ctx.error(t.get('clientCAFile') as Val, 'clientCAFile needs certFile and keyFile (the server certificate)');
      } else if (certFile === '' || keyFile === '') {
        ctx.error(tv, 'certFile and keyFile must be set together');
      } else {
        out.tls = { certFile, keyFile };
        if (clientCAFile !== '') out.tls.clientCAFile = clientCAFile;
      }
    }
  }
  out.insecure = readBool(ctx, o.get('insecure')) ?? false;
  out.maxMessageBytes = readInt(ctx, o.get('maxMessageBytes'), 1, 2147483647) ?? out.maxMessageBytes;
  return out;
}

function parseAdmin(ctx: Ctx, v: Val): AdminConfig {
  const out = defaultAdmin();
  const o = readObject(ctx, v, K.ADMIN_KEYS);
  if (!o) return out;
  return { ...out, ...parseListen(ctx, o.get('address'), out) };
}

interface DraftFleet {
  fleet: Fleet;
  /** Entry points as written (validated once entry points are final); undefined = all. */
  entryPoints?: Array<{ value: string; val: Val }>;
}

function parseFleets(ctx: Ctx, v: Val): DraftFleet[] | undefined {
  const items = readList(ctx, v);
  if (!items) return undefined;
  if (items.length === 0) {
    ctx.warn(v, 'fleets is empty: the default fleet (every node, every entry point) is used');
    return undefined;
  }
  const out: DraftFleet[] = [];
  const names = new Map<string, Val>();
  for (const it of items) {
    const o = readObject(ctx, it, K.FLEET_KEYS);
    if (!o) continue;
    const nameVal = o.get('name');
    const name = readString(ctx, nameVal);
    if (name === undefined || name === '') {
      ctx.error(nameVal ?? it, 'a fleet needs a name');
      continue;
    }
    if (!FLEET_NAME.test(name)) {
      ctx.error(nameVal as Val, `invalid fleet name "${name}" (letters, digits, ".", "_", "-")`);
      continue;
    }
    const prev = names.get(name);
    if (prev) {
      const where = ctx.pos(prev.at);
      ctx.error(nameVal as Val, `duplicate fleet name "${name}"${where ? ` (first at ${where})` : ''}`);
      continue;
    }
    names.set(name, nameVal as Val);
    const fleet: Fleet = { name, match: { metadata: {} }, entryPoints: [], profile: 'auto' };
    const mv = o.get('match');
    if (mv) {
      const m = readObject(ctx, mv, K.FLEET_MATCH_KEYS);
      if (m) {
        const nc = readGlob(ctx, m.get('nodeCluster'));
        if (nc !== undefined) fleet.match.nodeCluster = nc;
        const ni = readGlob(ctx, m.get('nodeId'));
        if (ni !== undefined) fleet.match.nodeId = ni;
        const md = m.get('metadata');
        if (md) {
          for (const { name: k, val } of readDict(ctx, md)) {
            if (val.node === null) {
              ctx.error(val, `metadata "${k}" needs a value`);
              continue;
            }
            const s = readString(ctx, val);
            if (s !== undefined) fleet.match.metadata[k] = s;
          }
        }
      }
    }
    fleet.profile = readEnum(ctx, o.get('profile'), PROFILES) ?? 'auto';
    const ccv = o.get('clientCertificate');
    if (ccv) {
      const cc = readObject(ctx, ccv, K.CLIENT_CERT_KEYS);
      const san = cc ? readGlob(ctx, cc.get('san')) : undefined;
      if (san !== undefined) fleet.clientCertificate = { san };
    }
    const eps = readStringList(ctx, o.get('entryPoints'));
    out.push({ fleet, entryPoints: eps && eps.length > 0 ? eps : undefined });
  }
  return out;
}

// ---------------------------------------------------------------- entry

/**
 * Loads the static configuration. Bad content never throws: it becomes diagnostics, and the broken
 * keys keep their defaults. A file that cannot be read throws ConfigIOError.
 */
export function loadStaticConfig(opts: LoadStaticConfigOptions): LoadStaticConfigResult {
  const diagnostics = new Diagnostics();
  let text = opts.text;
  const file = opts.file;
  if (text === undefined && file !== undefined) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
      throw new ConfigIOError(`cannot read config file ${file}: ${why}`, file, e);
    }
  }
  const label = file ?? '<config>';
  const baseDir = file !== undefined ? path.dirname(path.resolve(file)) : process.cwd();

  const config = defaultStaticConfig();
  if (file !== undefined) config.configFile = path.resolve(file);

  let ctx = new Ctx(diagnostics, label, undefined, undefined);
  let drafts: Array<{ name: string; draft: DraftEntryPoint }> | undefined;
  let draftFleets: DraftFleet[] | undefined;

  if (text !== undefined) {
    if (file !== undefined && /\.toml$/i.test(file)) {
      diagnostics.add({
        severity: 'error',
        kind: KIND,
        message: 'TOML is not supported; write the configuration in YAML (or JSON) with the same keys',
        source: `${label}:1:1`,
      });
    } else {
      try {
        const r = parseText(diagnostics, label, text, baseDir, config);
        ctx = r.ctx;
        drafts = r.drafts;
        draftFleets = r.fleets;
      } catch (e) {
        // A safety net: a bug here must not take the process down with a stack trace.
        diagnostics.add({ severity: 'error', kind: KIND, message: `internal error while reading the configuration: ${(e as Error).message}`, source: label });
      }
    }
  }

  finish(ctx, config, drafts, draftFleets, opts.entryPointOverrides ?? []);
  return { config, diagnostics };
}

function parseText(
  diagnostics: Diagnostics,
  label: string,
  text: string,
  baseDir: string,
  config: StaticConfig,
): { ctx: Ctx; drafts?: Array<{ name: string; draft: DraftEntryPoint }>; fleets?: DraftFleet[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, merge: true, uniqueKeys: false, prettyErrors: false, strict: false });
  const ctx = new Ctx(diagnostics, label, lc, doc);
  const at = (offset: number) => {
    const p = lc.linePos(offset);
    return `${label}:${p.line}:${p.col}`;
  };
  for (const w of doc.warnings) diagnostics.add({ severity: 'warning', kind: KIND, message: `YAML: ${w.message}`, source: at(w.pos[0]) });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) diagnostics.add({ severity: 'error', kind: KIND, message: `YAML syntax: ${e.message}`, source: at(e.pos[0]) });
    return { ctx }; // a broken document: defaults everywhere rather than guesses from a half-parsed tree
  }
  const root = ctx.resolve(doc.contents);
  if (root === null) {
    diagnostics.add({ severity: 'warning', kind: KIND, message: 'the configuration is empty: defaults apply', source: `${label}:1:1` });
    return { ctx };
  }
  const rv: Val = { path: '', node: root, at: root };
  const o = readObject(ctx, rv, K.ROOT_KEYS);
  if (!o) return { ctx };

  let drafts: Array<{ name: string; draft: DraftEntryPoint }> | undefined;
  const epv = o.get('entryPoints');
  const epDict = epv ? readDict(ctx, epv) : [];
  if (epDict.length > 0) {
    // Entry points written: ours replace the defaults (as Traefik drops its implicit :80 one).
    drafts = [];
    for (const { name, val } of epDict) {
      if (!ENTRY_POINT_NAME.test(name)) {
        ctx.error({ ...val, at: val.keyNode ?? val.at }, `invalid entry point name "${name}" (letters, digits, ".", "_", "-")`);
        continue;
      }
      drafts.push({ name, draft: parseEntryPoint(ctx, name, val) });
    }
  }
  const st = o.get('serversTransport');
  if (st) config.serversTransport = parseServersTransport(ctx, st);
  const tst = o.get('tcpServersTransport');
  if (tst) config.tcpServersTransport = parseTCPServersTransport(ctx, tst);
  const core = o.get('core');
  if (core) config.core = parseCore(ctx, core);
  const prov = o.get('providers');
  if (prov) config.providers = parseProviders(ctx, prov, baseDir);
  const xds = o.get('xds');
  if (xds) config.xds = parseXds(ctx, xds);
  const admin = o.get('admin');
  if (admin) config.admin = parseAdmin(ctx, admin);
  const fl = o.get('fleets');
  const fleets = fl ? parseFleets(ctx, fl) : undefined;
  config.logLevel = readEnum(ctx, o.get('logLevel'), LOG_LEVELS, true) ?? 'info';
  return { ctx, drafts, fleets };
}

/** Overrides, cross-checks between sections, and the resolved forms (redirect ports, fleet entry points). */
function finish(
  ctx: Ctx,
  config: StaticConfig,
  drafts: Array<{ name: string; draft: DraftEntryPoint }> | undefined,
  draftFleets: DraftFleet[] | undefined,
  overrides: string[],
): void {
  const err = (field: string, v: Val | undefined, message: string) => ctx.report('error', field, v?.at, message);
  const warn = (field: string, v: Val | undefined, message: string) => ctx.report('warning', field, v?.at, message);

  // 1. Entry points from the file, or the defaults when the file defines none.
  const work = new Map<string, DraftEntryPoint>();
  if (drafts) {
    for (const { name, draft } of drafts) work.set(name, draft);
  } else {
    for (const [name, ep] of Object.entries(defaultEntryPointMap())) work.set(name, { ep, nameVal: { path: `entryPoints.${name}`, node: null, at: null } });
  }

  // 2. Overrides: NAME=ADDRESS.
  for (const ov of overrides) {
    const eq = ov.indexOf('=');
    const name = eq >= 0 ? ov.slice(0, eq) : '';
    const addr = eq >= 0 ? ov.slice(eq + 1) : '';
    const field = `entryPoints.${name || '?'}.address`;
    if (eq <= 0 || addr === '') {
      err(field, undefined, `invalid entry point override "${ov}": expected NAME=ADDRESS (e.g. websecure=:8443)`);
      continue;
    }
    if (!ENTRY_POINT_NAME.test(name)) {
      err(field, undefined, `invalid entry point override "${ov}": invalid entry point name "${name}"`);
      continue;
    }
    const a = parseAddress(addr);
    if ('error' in a) {
      err(field, undefined, `entry point override "${ov}": ${a.error}`);
      continue;
    }
    const bad = checkEntryPointAddress(a);
    if (bad) {
      err(field, undefined, `entry point override "${ov}": ${bad}`);
      continue;
    }
    const existing = work.get(name);
    if (existing) {
      existing.ep.address = a;
      existing.ep.addressText = addr;
      existing.addressVal = undefined;
      existing.overridden = ov;
    } else {
      work.set(name, { ep: newEntryPoint(name, a, addr), nameVal: { path: `entryPoints.${name}`, node: null, at: null }, overridden: ov });
    }
  }

  // 3. Entry points without a usable address are dropped (already reported); references to them stay quiet.
  const broken = new Set<string>();
  const eps: Record<string, EntryPoint> = {};
  const where = new Map<string, DraftEntryPoint>();
  for (const [name, d] of work) {
    if (!d.ep.address || d.ep.addressText === undefined) {
      broken.add(name);
      continue;
    }
    // 4. Two entry points on the same socket: Envoy rejects the second listener.
    let clash: string | undefined;
    for (const [other, oep] of Object.entries(eps)) {
      if (addressesConflict(oep.address, d.ep.address)) {
        clash = other;
        break;
      }
    }
    if (clash) {
      const o = eps[clash];
      const how = d.overridden ? ` (override "${d.overridden}")` : '';
      err(
        `entryPoints.${name}.address`,
        d.addressVal,
        `duplicate listen address: entry point "${name}" (${formatAddress(d.ep.address, true)})${how} and "${clash}" (${formatAddress(o.address, true)}) would listen on the same socket`,
      );
      broken.add(name);
      continue;
    }
    eps[name] = d.ep as EntryPoint;
    where.set(name, d);
  }
  config.entryPoints = eps;

  // 5. Redirections: the target must be an existing TCP entry point, or ":port".
  for (const [name, d] of where) {
    const r = d.redirect;
    if (!r) continue;
    const field = `entryPoints.${name}.http.redirections.entryPoint.to`;
    let port: number | undefined;
    const m = /^:([0-9]+)$/.exec(r.to);
    if (m) {
      port = Number(m[1]);
      if (port < 1 || port > 65535) {
        err(field, r.toVal, `port ${m[1]} is out of range (1-65535)`);
        continue;
      }
    } else {
      const target = eps[r.to];
      if (!target) {
        if (broken.has(r.to)) continue;
        const guess = suggest(r.to, Object.keys(eps));
        err(field, r.toVal, `redirection target "${r.to}" is not an entry point${guess ? `; did you mean "${guess}"?` : ` (entry points: ${Object.keys(eps).join(', ')})`}`);
        continue;
      }
      if (target.address.protocol === 'udp') {
        err(field, r.toVal, `redirection target "${r.to}" is a UDP entry point`);
        continue;
      }
      if (r.to === name) warn(field, r.toVal, `entry point "${name}" redirects to itself`);
      port = target.address.port;
    }
    const red: RedirectEntryPoint = { to: r.to, port, scheme: r.scheme, permanent: r.permanent, priority: r.priority };
    d.ep.http.redirections = { entryPoint: red };
  }

  // 6. The default-entry-point rule, and flags that it makes useless.
  for (const [name, d] of where) {
    if (!d.ep.asDefault) continue;
    if (d.ep.address!.protocol === 'udp') warn(`entryPoints.${name}.asDefault`, d.nameVal, `asDefault has no effect on the UDP entry point "${name}" (Traefik leaves UDP entry points out of the defaults)`);
    else if (name === INTERNAL_ENTRY_POINT) warn(`entryPoints.${name}.asDefault`, d.nameVal, `asDefault has no effect on the entry point named "${INTERNAL_ENTRY_POINT}" (Traefik reserves it)`);
  }
  if (Object.keys(eps).length > 0 && defaultEntryPoints(config).length === 0) {
    warn('entryPoints', undefined, 'no default entry points: routers that name no entry point will attach nowhere');
  }
  if (Object.keys(eps).length === 0) err('entryPoints', undefined, 'no usable entry point');

  // 7. Fleets: entry points must exist; none given = all.
  const all = Object.keys(eps);
  if (!draftFleets || draftFleets.length === 0) {
    config.fleets = [defaultFleet(all)];
  } else {
    config.fleets = draftFleets.map(({ fleet, entryPoints }) => {
      if (!entryPoints) return { ...fleet, entryPoints: [...all] };
      const list: string[] = [];
      for (const { value, val } of entryPoints) {
        if (eps[value]) {
          if (!list.includes(value)) list.push(value);
        } else if (!broken.has(value)) {
          const guess = suggest(value, all);
          err(val.path, val, `fleet "${fleet.name}": entry point "${value}" does not exist${guess ? `; did you mean "${guess}"?` : ''}`);
        }
      }
      return { ...fleet, entryPoints: list };
    });
  }
  for (const f of config.fleets) {
    if (f.clientCertificate && !config.xds.tls?.clientCAFile) {
      warn('fleets', undefined, `fleet "${f.name}": clientCertificate has no effect without xds.tls.clientCAFile`);
    }
  }
}
