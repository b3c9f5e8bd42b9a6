// 1.7 `pass-client-tls-cert` (traefik-ingress.md §3.3, §6.7): YAML {pem, infos: {notafter, notbefore, sans,
// subject: {...}, issuer: {...}}} (yaml.v2, lower-case keys) → PassTLSClientCert, with 1.7's info header name
// `X-Forwarded-Tls-Client-Cert-Infos`. Unparsable YAML drops the feature and the Ingress is served, as in 1.7.
import { parse as parseYaml } from 'yaml';
import type { Annotation, LegacyPath } from './context';
import type { ResolvedMiddleware } from '../middlewares';

export const LEGACY_INFO_HEADER = 'X-Forwarded-Tls-Client-Cert-Infos';

/** yaml.v2 booleans (YAML 1.1). */
const TRUE = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;

class Unparsable extends Error {}

function goBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return false;
  if (typeof v === 'string' && TRUE.test(v)) return true;
  if (typeof v === 'string' && FALSE.test(v)) return false;
  throw new Unparsable();
}

const DN: Record<string, string> = {
  country: 'country', province: 'province', locality: 'locality', organization: 'organization',
  commonname: 'commonName', serialnumber: 'serialNumber', domaincomponent: 'domainComponent',
};

/** A yaml.v2 struct: known lower-case keys decoded, the others (camelCase ones included) collected. */
function struct(v: unknown, path: string, fields: Record<string, (x: unknown, p: string) => unknown>, ignored: string[]): Record<string, unknown> | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Unparsable();
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const f = fields[k];
    if (!f) {
      ignored.push(path + k);
      continue;
    }
    const d = f(x, `${path}${k}.`);
    if (d !== undefined) out[k] = d;
  }
  return out;
}

function dn(v: unknown, path: string, ignored: string[]): Record<string, boolean> | undefined {
  const fields = Object.fromEntries(Object.keys(DN).map((k) => [k, goBool]));
  const s = struct(v, path, fields, ignored) as Record<string, boolean> | undefined;
  if (!s) return undefined;
  return Object.fromEntries(Object.entries(s).filter(([, b]) => b).map(([k]) => [DN[k]!, true]));
}

function same(a: Record<string, boolean> | undefined, b: Record<string, boolean> | undefined): boolean {
  return JSON.stringify(Object.keys(a ?? {}).sort()) === JSON.stringify(Object.keys(b ?? {}).sort());
}

export function legacyPassClientTlsCert(lp: LegacyPath, a: Annotation): ResolvedMiddleware | undefined {
  const { ctx, subject } = lp;
  const f = lp.field(a.key);
  const ignored: string[] = [];
  let cfg: Record<string, unknown>;
  let subjectDn: Record<string, boolean> | undefined;
  let issuerDn: Record<string, boolean> | undefined;
  try {
    let doc: unknown;
    try {
      doc = parseYaml(a.value);
    } catch {
      throw new Unparsable();
    }
    const top = struct(doc, '', {
      pem: goBool,
      infos: (x, p) => struct(x, p, {
        notafter: goBool, notbefore: goBool, sans: goBool,
        subject: (y, q) => (subjectDn = dn(y, q, ignored)),
        issuer: (y, q) => (issuerDn = dn(y, q, ignored)),
      }, ignored),
    }, ignored);
    if (!top) throw new Unparsable();
    cfg = {};
    if (top.pem) cfg.pem = true;
    const infos = top.infos as Record<string, unknown> | undefined;
    if (infos) {
      const info: Record<string, unknown> = {};
      if (infos.notafter) info.notAfter = true;
      if (infos.notbefore) info.notBefore = true;
      if (infos.sans) info.sans = true;
      if (subjectDn) info.subject = subjectDn;
      if (issuerDn) info.issuer = issuerDn;
      cfg.info = info;
    }
  } catch (e) {
    if (!(e instanceof Unparsable)) throw e;
    ctx.diags.error(subject, f, 'pass-client-tls-cert must be YAML {pem: <bool>, infos: {notafter, notbefore, sans, subject: {...}, issuer: {...}}}: Traefik 1.7 drops the feature (and serves the Ingress), and so does traefik-xds');
    return undefined;
  }
  if (ignored.length) ctx.diags.warn(subject, f, `ignored, as Traefik 1.7 ignores them (its YAML keys are lower-case: pem, infos, notafter, notbefore, sans, subject, issuer, country, province, locality, organization, commonname, serialnumber, domaincomponent): ${ignored.join(', ')}`);
  if (!same(subjectDn, issuerDn)) {
    ctx.diags.warn(subject, f, 'Traefik 1.7 took the issuer flags from subject (a bug of its Kubernetes template): the issuer flags written here are used, as intended');
  }
  return lp.mw('passTLSClientCert', cfg, { infoHeader: LEGACY_INFO_HEADER });
}
