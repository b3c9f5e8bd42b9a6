// Entry point of the CRD model: which group/version/kind we read, and RawObject → TypedObject with diagnostics.
import type { Diagnostics, DiagnosticSubject, SourcePos } from '../diagnostics';
import type { RawObject } from '../../sources/types';
import {
  configMapBodySchema,
  coreSpecOf,
  endpointSliceBodySchema,
  endpointsBodySchema,
  nodeBodySchema,
  secretBodySchema,
  SERVICE_NAME_LABEL,
  serviceBodySchema,
} from './core';
import { checkNullTLS, ingressRouteSpecSchema } from './ingressroute';
import { convertLegacyIngress, ingressBodySchema, ingressClassBodySchema, LEGACY_INGRESS_API_VERSIONS } from './ingress';
import { ingressRouteTCPSpecSchema } from './ingressroutetcp';
import { ingressRouteUDPSpecSchema } from './ingressrouteudp';
import { checkMiddlewareSpec, middlewareSpecSchema } from './middleware';
import { checkMiddlewareTCPSpec, middlewareTCPSpecSchema } from './middlewaretcp';
import { Schema, SchemaReport, describeValue, isPlainObject, joinPath, pruneNulls, suggest, validate } from './schema';
import { serversTransportSpecSchema } from './serverstransport';
import { serversTransportTCPSpecSchema } from './serverstransporttcp';
import { tlsOptionSpecSchema } from './tlsoption';
import { tlsStoreSpecSchema } from './tlsstore';
import { checkTraefikServiceSpec, traefikServiceSpecSchema } from './traefikservice';
import type { AnyTypedObject, ApiGroup } from './types';

export * from './types';
export * from './ingress';
export { validateAgainst, suggest, parseGoDuration, checkTraefikDuration, DURATION_PATTERN } from './schema';
export type { Schema, SchemaReport } from './schema';

const TRAEFIK_KINDS = [
  'IngressRoute',
  'IngressRouteTCP',
  'IngressRouteUDP',
  'Middleware',
  'MiddlewareTCP',
  'TraefikService',
  'ServersTransport',
  'ServersTransportTCP',
  'TLSOption',
  'TLSStore',
] as const;

/** Group → kinds read by traefik-xds. `traefik.containo.us` (Traefik v2) never had ServersTransportTCP. */
export const KNOWN_KINDS: Readonly<Record<ApiGroup, readonly string[]>> = {
  'traefik.io': TRAEFIK_KINDS,
  'traefik.containo.us': TRAEFIK_KINDS.filter((k) => k !== 'ServersTransportTCP'),
  core: ['Service', 'Endpoints', 'Secret', 'ConfigMap', 'Node'],
  'discovery.k8s.io': ['EndpointSlice'],
  'networking.k8s.io': ['Ingress', 'IngressClass'],
};

/** Group → the only API version we read. */
export const KNOWN_VERSIONS: Readonly<Record<ApiGroup, string>> = {
  'traefik.io': 'v1alpha1',
  'traefik.containo.us': 'v1alpha1',
  core: 'v1',
  'discovery.k8s.io': 'v1',
  'networking.k8s.io': 'v1',
};

export type NameRule = 'subdomain' | 'label1035';

export interface KindDefinition {
  kind: string;
  /** Resource plural, as used in CRD names (`ingressroutes.traefik.io`). */
  plural: string;
  /** `spec`: the schema covers `spec` (required). `body`: it covers the object's top-level fields. */
  root: 'spec' | 'body';
  schema: Schema;
  /** Checks a schema cannot express (one-of rules). */
  check?: (value: unknown, path: string, report: SchemaReport) => void;
  nameRule: NameRule;
  clusterScoped?: boolean;
}

const def = (kind: string, plural: string, schema: Schema, check?: KindDefinition['check']): KindDefinition => ({
  kind,
  plural,
  root: 'spec',
  schema,
  check,
  nameRule: 'subdomain',
});

/** Every kind we read, by kind name (kinds are unique across our groups). */
export const KIND_DEFINITIONS: Readonly<Record<string, KindDefinition>> = {
  IngressRoute: def('IngressRoute', 'ingressroutes', ingressRouteSpecSchema, checkNullTLS),
  IngressRouteTCP: def('IngressRouteTCP', 'ingressroutetcps', ingressRouteTCPSpecSchema, checkNullTLS),
  IngressRouteUDP: def('IngressRouteUDP', 'ingressrouteudps', ingressRouteUDPSpecSchema),
  Middleware: def('Middleware', 'middlewares', middlewareSpecSchema, checkMiddlewareSpec),
  MiddlewareTCP: def('MiddlewareTCP', 'middlewaretcps', middlewareTCPSpecSchema, checkMiddlewareTCPSpec),
  TraefikService: def('TraefikService', 'traefikservices', traefikServiceSpecSchema, checkTraefikServiceSpec),
  ServersTransport: def('ServersTransport', 'serverstransports', serversTransportSpecSchema),
  ServersTransportTCP: def('ServersTransportTCP', 'serverstransporttcps', serversTransportTCPSpecSchema),
  TLSOption: def('TLSOption', 'tlsoptions', tlsOptionSpecSchema),
  TLSStore: def('TLSStore', 'tlsstores', tlsStoreSpecSchema),
  // Service names are DNS labels (RFC 1035) because they become DNS names; the rest are subdomains.
  Service: { kind: 'Service', plural: 'services', root: 'body', schema: serviceBodySchema, nameRule: 'label1035' },
  EndpointSlice: { kind: 'EndpointSlice', plural: 'endpointslices', root: 'body', schema: endpointSliceBodySchema, nameRule: 'subdomain' },
  Endpoints: { kind: 'Endpoints', plural: 'endpoints', root: 'body', schema: endpointsBodySchema, nameRule: 'subdomain' },
  Secret: { kind: 'Secret', plural: 'secrets', root: 'body', schema: secretBodySchema, nameRule: 'subdomain' },
  ConfigMap: { kind: 'ConfigMap', plural: 'configmaps', root: 'body', schema: configMapBodySchema, nameRule: 'subdomain' },
  Node: { kind: 'Node', plural: 'nodes', root: 'body', schema: nodeBodySchema, nameRule: 'subdomain', clusterScoped: true },
  Ingress: { kind: 'Ingress', plural: 'ingresses', root: 'body', schema: ingressBodySchema, nameRule: 'subdomain' },
  IngressClass: { kind: 'IngressClass', plural: 'ingressclasses', root: 'body', schema: ingressClassBodySchema, nameRule: 'subdomain', clusterScoped: true },
};

/** The spec schema of a Traefik kind (for CRD generation and direct validation). */
export function specSchemaOf(kind: string): Schema | undefined {
  return KIND_DEFINITIONS[kind]?.schema;
}

// ---------------------------------------------------------------------------------------------------------
// Names

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes' own object-name rules; returns why `name` is invalid, or undefined. */
export function checkObjectName(name: string, rule: NameRule | 'label1123'): string | undefined {
  let problem: string | undefined;
  if (rule === 'subdomain') {
    if (name.length > 253) problem = 'must be no more than 253 characters';
    else if (!DNS1123_SUBDOMAIN.test(name)) {
      problem = "must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
    }
  } else if (rule === 'label1123') {
    if (name.length > 63) problem = 'must be no more than 63 characters';
    else if (!DNS1123_LABEL.test(name)) {
      problem = "must be a lowercase RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
    }
  } else {
    if (name.length > 63) problem = 'must be no more than 63 characters';
    else if (!DNS1035_LABEL.test(name)) {
      problem = "must be a lowercase RFC 1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit";
    }
  }
  if (!problem) return undefined;
  const fixed = name
    .toLowerCase()
    .replace(rule === 'subdomain' ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const fixOk = fixed !== '' && fixed !== name && checkObjectNameSimple(fixed, rule);
  return fixOk ? `${problem}; e.g. ${JSON.stringify(fixed)}` : problem;
}

function checkObjectNameSimple(name: string, rule: NameRule | 'label1123'): boolean {
  if (rule === 'subdomain') return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
  if (rule === 'label1123') return name.length <= 63 && DNS1123_LABEL.test(name);
  return name.length <= 63 && DNS1035_LABEL.test(name);
}

// ---------------------------------------------------------------------------------------------------------
// Locating fields

const LAST_SEGMENT = /(\["(?:[^"\\]|\\.)*"\]|\[\d+\]|\.[^.[]+)$/;

/** `a.b[0].c` → `a.b[0]` → `a.b` → `a` → ''. */
export function parentPath(path: string): string {
  const m = LAST_SEGMENT.exec(path);
  return m ? path.slice(0, m.index) : '';
}

/** Positions for missing or synthetic fields fall back to the nearest ancestor that exists in the file. */
function nearestLocator(raw: RawObject): DiagnosticSubject['locate'] {
  if (!raw.locate && !raw.origin) return undefined;
  return (field) => {
    let p = field;
    while (p) {
      const pos = raw.locate?.(p);
      if (pos) return pos;
      p = parentPath(p);
    }
    return raw.locate?.(undefined) ?? raw.origin;
  };
}

// ---------------------------------------------------------------------------------------------------------
// parseObject

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: 'core', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function knownApiVersionsOf(kind: string): string[] {
  const out: string[] = [];
  for (const [group, kinds] of Object.entries(KNOWN_KINDS) as [ApiGroup, readonly string[]][]) {
    if (!kinds.includes(kind)) continue;
    const v = KNOWN_VERSIONS[group];
    out.push(group === 'core' ? v : `${group}/${v}`);
  }
  return out;
}

function stringMap(
  value: unknown,
  path: string,
  report: SchemaReport,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    report.error(path, 'expected a map of strings');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      report.error(joinPath(path, k), `expected a string, got ${describeValue(v)}${typeof v === 'number' || typeof v === 'boolean' ? ` (quote it: "${String(v)}")` : ''}`);
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * Identifies, validates and types one raw object. Returns undefined when the object is not one we read (info) or
 * has any error (all errors are reported, the object is dropped alone); warnings keep the object.
 */
export function parseObject(raw: RawObject, diags: Diagnostics): AnyTypedObject | undefined {
  let body: Record<string, unknown> = isPlainObject(raw.body) ? raw.body : {};
  const meta: Record<string, unknown> = isPlainObject(raw.metadata) ? raw.metadata : {};
  const kind = typeof raw.kind === 'string' ? raw.kind : '';
  const locate = nearestLocator(raw);
  const rawName = typeof meta.name === 'string' ? meta.name : undefined;
  const rawNs = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;

  const subject: DiagnosticSubject = { kind: kind || 'Object', namespace: rawNs, name: rawName, locate };

  if (typeof raw.apiVersion !== 'string' || raw.apiVersion === '') {
    diags.error(subject, 'apiVersion', 'missing apiVersion; skipped');
    return undefined;
  }
  if (!kind) {
    diags.error(subject, 'kind', 'missing kind; skipped');
    return undefined;
  }

  let { group, version } = splitApiVersion(raw.apiVersion);
  if (kind === 'Ingress' && LEGACY_INGRESS_API_VERSIONS.includes(raw.apiVersion)) {
    // Deprecated forms (Traefik 1.x documentation, old manifests): read as networking.k8s.io/v1.
    diags.warn(subject, 'apiVersion',
      `apiVersion ${raw.apiVersion} is deprecated (removed in Kubernetes 1.22; Traefik v3 reads networking.k8s.io/v1 only): converted to networking.k8s.io/v1 (serviceName/servicePort → service.name/port, spec.backend → spec.defaultBackend, missing pathType → ImplementationSpecific)`);
    body = convertLegacyIngress(body);
    group = 'networking.k8s.io';
    version = 'v1';
  }
  const groupKinds = (KNOWN_KINDS as Record<string, readonly string[] | undefined>)[group];
  const known = groupKinds?.includes(kind) && KNOWN_VERSIONS[group as ApiGroup] === version;
  if (!known) {
    let hint = '';
    const apiVersions = knownApiVersionsOf(kind);
    if (apiVersions.length) {
      hint = ` (traefik-xds reads ${kind} as ${apiVersions.join(' or ')})`;
    } else {
      const all = Object.values(KNOWN_KINDS).flat();
      const s = suggest(kind, all);
      if (s) hint = ` (did you mean ${s}?)`;
    }
    diags.info(subject, undefined, `kind ${kind} (apiVersion ${raw.apiVersion}) is not read by traefik-xds; skipped${hint}`);
    return undefined;
  }

  const kdef = KIND_DEFINITIONS[kind];
  const namespace = kdef.clusterScoped ? '' : rawNs ?? 'default';
  subject.namespace = namespace || undefined;

  let errors = 0;
  const report: SchemaReport = {
    error: (p, m) => {
      errors++;
      diags.error(subject, p, m);
    },
    warn: (p, m) => diags.warn(subject, p, m),
  };

  // metadata
  if (rawName === undefined || rawName === '') {
    const gen = typeof meta.generateName === 'string' && meta.generateName ? ' (generateName is not supported: objects are identified by name)' : '';
    report.error('metadata.name', `missing required field "name"${gen}`);
  } else {
    const problem = checkObjectName(rawName, kdef.nameRule);
    if (problem) report.error('metadata.name', `invalid ${kind} name ${JSON.stringify(rawName)}: ${problem}`);
  }
  if (meta.namespace !== undefined && meta.namespace !== null && typeof meta.namespace !== 'string') {
    report.error('metadata.namespace', 'expected a string');
  } else if (rawNs !== undefined && !kdef.clusterScoped) {
    const problem = checkObjectName(rawNs, 'label1123');
    if (problem) report.error('metadata.namespace', `invalid namespace ${JSON.stringify(rawNs)}: ${problem}`);
  }
  const labels = stringMap(meta.labels, 'metadata.labels', report);
  const annotations = stringMap(meta.annotations, 'metadata.annotations', report);

  if (group === 'traefik.containo.us') {
    // Fully supported here (rules use v2 syntax); Traefik v3 itself no longer reads the group, hence a note, not a warning.
    diags.info(subject, 'apiVersion',
      `apiVersion ${raw.apiVersion} is read with Traefik v2 semantics (v2 rule syntax); Traefik v3 removed this group, traefik.io/v1alpha1 replaces it`);
  }

  // spec / body
  let spec: unknown;
  if (kdef.root === 'spec') {
    const value = body.spec;
    if (value === undefined || value === null) {
      report.error('spec', 'missing required field "spec"');
    } else {
      const { nullFree } = validate(kdef.schema, value, 'spec', report);
      kdef.check?.(value, 'spec', report);
      spec = nullFree ? value : pruneNulls(value);
    }
  } else {
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') rest[k] = v;
    const { nullFree } = validate(kdef.schema, rest, '', report);
    // The spec only selects fields of the body: a body without nulls makes a spec without nulls.
    const selected = (coreSpecOf[kind] ?? ((b: Record<string, unknown>) => b.spec ?? {}))(rest);
    spec = nullFree ? selected : pruneNulls(selected);
    if (kind === 'EndpointSlice' && !labels[SERVICE_NAME_LABEL]) {
      report.warn(`metadata.labels`, `no ${SERVICE_NAME_LABEL} label: this EndpointSlice belongs to no Service and is not used`);
    }
  }

  if (errors > 0 || rawName === undefined) return undefined;

  return {
    group: group as ApiGroup,
    version,
    kind,
    namespace,
    name: rawName,
    labels,
    annotations,
    spec,
    raw,
  } as AnyTypedObject;
}

/** Position helper for callers that report on a typed object's fields with the same ancestor fallback. */
export function locatorOf(raw: RawObject): ((field: string | undefined) => SourcePos | undefined) | undefined {
  return nearestLocator(raw);
}
