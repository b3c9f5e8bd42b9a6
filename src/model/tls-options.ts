// TLSOption and TLSStore (traefik-semantics.md §13): options resolved with Traefik's naming (TLSOption ids
// are makeID(ns, name), NOT normalized; a TLSOption named `default` is the global default, unless two
// namespaces define one), Go cipher and curve names mapped to BoringSSL's, client CA bundles from Secrets,
// and the default store's certificates.
import { makeID } from './naming';
import { ObjectIndex, subjectOf } from './object-index';
import { secretValue, loadCertificate, type CertificateStore } from './certificates';
import type { Diagnostics } from './diagnostics';
import type { TLSOptionObj } from './crds/types';
import type { Provenance } from './model';
import { BORINGSSL_CIPHERS, GO_ONLY_CIPHERS, TLS_PROTOCOLS, UNCONFIGURABLE_CIPHERS } from './tls-names';
import { traefikDefaultCertificate, type GeneratedCertificate } from './default-certificate';

export type ClientAuthMode = 'none' | 'request' | 'require-any' | 'verify-if-given' | 'require-and-verify';

export interface TlsOptionsModel {
  /** Traefik's id: `default`, or `ns-name`. */
  id: string;
  provenance?: Provenance;
  minVersion: string;
  maxVersion?: string;
  /** BoringSSL names; undefined = Envoy's defaults. */
  cipherSuites?: string[];
  ecdhCurves?: string[];
  alpn: string[];
  sniStrict: boolean;
  disableSessionTickets: boolean;
  clientAuth: ClientAuthMode;
  /** SDS names of the validation-context secrets holding the client CA bundles. */
  clientCAs: string[];
}

export interface CaBundle {
  /** SDS name: `ns/secret/ca`. */
  name: string;
  pem: string;
  provenance: Provenance[];
}

export interface TlsModel {
  options: Map<string, TlsOptionsModel>;
  caBundles: Map<string, CaBundle>;
  /** SDS name of the default store's default certificate; undefined = Traefik's generated self-signed one. */
  defaultCertificate?: string;
  /** Traefik's self-signed default certificate, generated on first use and then the same for the process. */
  generatedDefault: () => GeneratedCertificate;
}

export const DEFAULT_OPTIONS: TlsOptionsModel = {
  id: 'default', minVersion: 'TLSv1_2', alpn: ['h2', 'http/1.1'], sniStrict: false, disableSessionTickets: false, clientAuth: 'none', clientCAs: [],
};

/** Traefik curve names → BoringSSL group names (§10.3). null: Go knows it, BoringSSL does not. */
const CURVES: Record<string, string | null> = {
  CurveP256: 'P-256', secp256r1: 'P-256', CurveP384: 'P-384', secp384r1: 'P-384', CurveP521: 'P-521', secp521r1: 'P-521',
  X25519: 'X25519', x25519: 'X25519', X25519MLKEM768: 'X25519MLKEM768', x25519mlkem768: 'X25519MLKEM768',
  SecP256r1MLKEM768: null, secp256r1mlkem768: null, SecP384r1MLKEM1024: null, secp384r1mlkem1024: null,
};

/** CA from a Secret: `tls.ca`, else `ca.crt`, else its only key (traefik-semantics.md §8). */
export function caFromSecret(index: ObjectIndex, namespace: string, name: string): string | undefined {
  const s = index.secrets.get(ObjectIndex.key(namespace, name));
  if (!s) return undefined;
  const direct = secretValue(s, 'tls.ca') ?? secretValue(s, 'ca.crt');
  if (direct) return direct;
  const keys = Object.keys({ ...(s.spec.data ?? {}), ...(s.spec.stringData ?? {}) });
  return keys.length === 1 ? secretValue(s, keys[0]) : undefined;
}

function buildOption(index: ObjectIndex, o: TLSOptionObj, id: string, caBundles: Map<string, CaBundle>, diags: Diagnostics): TlsOptionsModel | undefined {
  const subject = subjectOf(o);
  const spec = o.spec;
  const provenance: Provenance = { kind: o.kind, namespace: o.namespace, name: o.name, subject };
  const opt: TlsOptionsModel = { ...DEFAULT_OPTIONS, id, provenance, clientCAs: [] };
  let valid = true;
  if (spec.minVersion !== undefined) {
    if (TLS_PROTOCOLS[spec.minVersion]) opt.minVersion = TLS_PROTOCOLS[spec.minVersion];
    else diags.warn(subject, 'spec.minVersion', `unknown version "${spec.minVersion}" (VersionTLS10..VersionTLS13); ignored as Traefik does, TLS 1.2 stays the minimum`);
  }
  if (spec.maxVersion !== undefined) {
    if (TLS_PROTOCOLS[spec.maxVersion]) opt.maxVersion = TLS_PROTOCOLS[spec.maxVersion];
    else diags.warn(subject, 'spec.maxVersion', `unknown version "${spec.maxVersion}"; ignored as Traefik does`);
  }
  if (spec.cipherSuites) {
    const out: string[] = [];
    spec.cipherSuites.forEach((c, i) => {
      const m = BORINGSSL_CIPHERS[c];
      if (m) {
        if (!out.includes(m)) out.push(m);
      } else if (GO_ONLY_CIPHERS.has(c)) {
        diags.warn(subject, `spec.cipherSuites[${i}]`, `approximated: "${c}" does not exist in BoringSSL (Envoy's TLS library); it is left out of the list`);
      } else if (UNCONFIGURABLE_CIPHERS.has(c)) {
        diags.info(subject, `spec.cipherSuites[${i}]`, `"${c}" is not configurable (TLS 1.3 suites are always on, in Go and in Envoy); left out`);
      } else {
        valid = false;
        diags.error(subject, `spec.cipherSuites[${i}]`, `unknown cipher suite "${c}": Traefik refuses this TLS option, and so do the routes that use it`);
      }
    });
    if (out.length) opt.cipherSuites = out;
    else if (valid) diags.warn(subject, 'spec.cipherSuites', 'no cipher suite Envoy can use is left: Envoy\'s default list applies (TLS 1.2)');
  }
  if (spec.curvePreferences) {
    const out: string[] = [];
    spec.curvePreferences.forEach((c, i) => {
      const m = CURVES[c];
      if (m === undefined) {
        valid = false;
        diags.error(subject, `spec.curvePreferences[${i}]`, `unknown curve "${c}": Traefik refuses this TLS option`);
      } else if (m === null) diags.warn(subject, `spec.curvePreferences[${i}]`, `approximated: "${c}" is not in BoringSSL; left out`);
      else if (!out.includes(m)) out.push(m);
    });
    if (out.length) opt.ecdhCurves = out;
  }
  if (spec.alpnProtocols) {
    // No ACME in Envoy: acme-tls/1 has no use there.
    opt.alpn = spec.alpnProtocols.filter((p) => p !== 'acme-tls/1');
  }
  opt.sniStrict = spec.sniStrict === true;
  opt.disableSessionTickets = spec.disableSessionTickets === true;
  if (spec.preferServerCipherSuites !== undefined) diags.info(subject, 'spec.preferServerCipherSuites', 'deprecated and without effect in Traefik; Envoy prefers the server order');
  const ca = spec.clientAuth;
  if (ca) {
    (ca.secretNames ?? []).forEach((sn, i) => {
      const pem = caFromSecret(index, o.namespace, sn);
      if (!pem) {
        diags.warn(subject, `spec.clientAuth.secretNames[${i}]`, `secret ${o.namespace}/${sn} not found or without a CA (tls.ca or ca.crt): skipped, as Traefik does`);
        return;
      }
      const name = `${o.namespace}/${sn}/ca`;
      const b = caBundles.get(name) ?? { name, pem, provenance: [] };
      b.provenance.push(provenance);
      caBundles.set(name, b);
      opt.clientCAs.push(name);
    });
    const type = ca.clientAuthType ?? (opt.clientCAs.length ? 'RequireAndVerifyClientCert' : 'NoClientCert');
    const modes: Record<string, ClientAuthMode> = {
      NoClientCert: 'none', RequestClientCert: 'request', RequireAnyClientCert: 'require-any',
      VerifyClientCertIfGiven: 'verify-if-given', RequireAndVerifyClientCert: 'require-and-verify',
    };
    opt.clientAuth = modes[type] ?? 'none';
    if ((opt.clientAuth === 'verify-if-given' || opt.clientAuth === 'require-and-verify') && opt.clientCAs.length === 0) {
      valid = false;
      diags.error(subject, 'spec.clientAuth', `${type} needs at least one CA (clientAuth.secretNames): Traefik refuses this TLS option, and the routes using it are left out`);
    }
    if (opt.clientAuth === 'request' || opt.clientAuth === 'require-any') {
      diags.warn(subject, 'spec.clientAuth.clientAuthType', `approximated: ${type} is expressed with trust_chain_verification ACCEPT_UNTRUSTED; Envoy still needs a CA bundle to request certificates`);
    }
  }
  return valid ? opt : undefined;
}

/** Resolves every TLSOption and the default TLSStore. `certificates` receives the store's certificates. */
export function buildTlsModel(index: ObjectIndex, certificates: CertificateStore, diags: Diagnostics): TlsModel {
  const options = new Map<string, TlsOptionsModel>();
  const caBundles = new Map<string, CaBundle>();
  const defaults = ObjectIndex.sorted(index.tlsOptions).filter((o) => o.name === 'default');
  for (const o of ObjectIndex.sorted(index.tlsOptions)) {
    if (o.name === 'default' && defaults.length > 1) {
      diags.error(subjectOf(o), undefined, `a TLSOption named default exists in ${defaults.length} namespaces (${defaults.map((d) => d.namespace).join(', ')}): Traefik drops it and uses its built-in default options`);
      continue;
    }
    const id = o.name === 'default' ? 'default' : makeID(o.namespace, o.name);
    const opt = buildOption(index, o, id, caBundles, diags);
    if (opt) options.set(id, opt);
  }
  if (!options.has('default')) options.set('default', DEFAULT_OPTIONS);

  let defaultCertificate: string | undefined;
  const stores = ObjectIndex.sorted(index.tlsStores);
  const defaultStores = stores.filter((s) => s.name === 'default');
  for (const s of stores) {
    const subject = subjectOf(s);
    if (s.name !== 'default') {
      diags.warn(subject, undefined, 'only the TLSStore named default is used for routing (as in Traefik); this store is ignored');
      continue;
    }
    if (defaultStores.length > 1) {
      diags.error(subject, undefined, `a TLSStore named default exists in ${defaultStores.length} namespaces: Traefik drops it`);
      continue;
    }
    if (s.spec.defaultCertificate?.secretName) {
      const c = loadCertificate(index, certificates, s.namespace, s.spec.defaultCertificate.secretName, subject, 'spec.defaultCertificate.secretName', diags);
      if (!c) {
        diags.error(subject, 'spec.defaultCertificate', 'the default certificate cannot be loaded: Traefik skips the whole TLSStore');
        continue;
      }
      defaultCertificate = c.name;
    }
    if (s.spec.defaultGeneratedCert) {
      diags.warn(subject, 'spec.defaultGeneratedCert', 'no ACME in traefik-xds: the default certificate is a self-signed one generated at start (provide one with defaultCertificate instead)');
    }
    (s.spec.certificates ?? []).forEach((c, i) => loadCertificate(index, certificates, s.namespace, c.secretName, subject, `spec.certificates[${i}].secretName`, diags));
  }
  return { options, caBundles, defaultCertificate, generatedDefault: traefikDefaultCertificate };
}
