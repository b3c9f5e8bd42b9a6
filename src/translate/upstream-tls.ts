// The TLS client of an https upstream (traefik-to-envoy.md §7): UpstreamTlsContext with SNI, chain verification
// (system bundle, the ServersTransport's CAs over SDS, or none), SAN checks, the client certificate over SDS,
// versions and cipher suites; SPIFFE takes the SVID and the trust bundles from a SPIRE agent's SDS.
import { ADS, T } from './type-urls';
import { boringSslCiphers, TLS_PROTOCOLS } from '../model/tls-names';
import { buildCertificateSecret } from './tls/secrets';
import type { Diagnostics } from '../model/diagnostics';
import type { Cluster, Secret } from '../envoy/types';
import type { UpstreamCluster, UpstreamTls } from '../model/model';

/** Where Debian/Alpine/UBI images keep the system CA bundle: Envoy has no "system roots" switch. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * The static cluster of the Envoy bootstrap that reaches the SPIRE agent's SDS socket (SPIRE's documented name).
 * SPIFFE transports take from it the SVID (`default`) and the trust bundles of every trust domain (`ALL`).
 */
export const SPIRE_AGENT_CLUSTER = 'spire_agent';
export const SPIRE_SVID_SECRET = 'default';
export const SPIRE_BUNDLES_SECRET = 'ALL';
const SPIRE_SDS = {
  api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: SPIRE_AGENT_CLUSTER } }] },
  resource_api_version: 'V3',
};

type TransportSocket = NonNullable<Cluster['transport_socket']>;

export interface UpstreamTlsOptions {
  /** ALPN offered: `['h2', 'http/1.1']` when HTTP/2 is allowed, else `['http/1.1']`. */
  alpn: string[];
  /** Where the cipher suites Envoy cannot offer are reported. */
  diags?: Diagnostics;
  cluster?: UpstreamCluster;
}

/** `transport_socket` of an https cluster (or of a TLS health check). */
export function buildUpstreamTlsSocket(tls: UpstreamTls, o: UpstreamTlsOptions): TransportSocket {
  const params: Record<string, unknown> = {
    // Go's client goes up to TLS 1.3; Envoy's client stops at 1.2 unless told.
    tls_maximum_protocol_version: tls.maxVersion ? TLS_PROTOCOLS[tls.maxVersion] : 'TLSv1_3',
  };
  if (tls.minVersion) params.tls_minimum_protocol_version = TLS_PROTOCOLS[tls.minVersion];
  if (tls.cipherSuites) {
    const { ciphers, unsupported } = boringSslCiphers(tls.cipherSuites);
    if (unsupported.length && o.diags && o.cluster) {
      const t = o.cluster.transport;
      o.diags.warn(t.subject, t.subject.kind === 'StaticConfig' ? 'serversTransport.cipherSuites' : 'spec.cipherSuites',
        `approximated: Envoy (BoringSSL) does not implement ${unsupported.join(', ')}; ${ciphers.length ? 'the other suites are offered' : 'its default suites are offered'}`);
    }
    if (ciphers.length) params.cipher_suites = ciphers;
  }
  const common: Record<string, unknown> = { tls_params: params, alpn_protocols: o.alpn };
  if (tls.spiffe) {
    common.tls_certificate_sds_secret_configs = [{ name: SPIRE_SVID_SECRET, sds_config: SPIRE_SDS }];
  } else if (tls.clientCertificate) {
    common.tls_certificate_sds_secret_configs = [{ name: tls.clientCertificate.name, sds_config: ADS }];
  }
  const sans = tls.sans.map((s) => ({
    san_type: s.type,
    matcher: s.prefix ? { prefix: s.value } : { exact: s.value, ...(s.ignoreCase ? { ignore_case: true } : {}) },
  }));
  const withSans = (v: Record<string, unknown>) => (sans.length ? { ...v, match_typed_subject_alt_names: sans } : v);
  switch (tls.verify) {
    case 'none':
      break;
    case 'system':
      common.validation_context = withSans({ trusted_ca: { filename: SYSTEM_CA_BUNDLE } });
      break;
    case 'bundle':
      if (sans.length) {
        common.combined_validation_context = {
          default_validation_context: { match_typed_subject_alt_names: sans },
          validation_context_sds_secret_config: { name: tls.ca!.name, sds_config: ADS },
        };
      } else common.validation_context_sds_secret_config = { name: tls.ca!.name, sds_config: ADS };
      break;
    case 'spiffe':
      common.combined_validation_context = {
        default_validation_context: sans.length ? { match_typed_subject_alt_names: sans } : {},
        validation_context_sds_secret_config: { name: SPIRE_BUNDLES_SECRET, sds_config: SPIRE_SDS },
      };
      break;
    case 'fail':
      // Go verifies against an empty pool: the cluster has no endpoint (failAll); keep the verification strict anyway.
      common.validation_context = { trusted_ca: { filename: SYSTEM_CA_BUNDLE } };
      break;
  }
  const ctx: Record<string, unknown> = { '@type': T.upstreamTls, common_tls_context: common };
  if (tls.sni) ctx.sni = tls.sni;
  return { name: 'envoy.transport_sockets.tls', typed_config: ctx as never };
}

/** The SDS secrets an upstream's TLS contexts name in this snapshot: CA bundles and client certificates. */
export function upstreamSecrets(c: UpstreamCluster): Secret[] {
  const out: Secret[] = [];
  for (const tls of [c.tls, c.healthCheck?.tlsContext]) {
    if (!tls) continue;
    if (tls.verify === 'bundle' && tls.ca) {
      out.push({ name: tls.ca.name, validation_context: { trusted_ca: { inline_string: tls.ca.pem } } });
    }
    if (tls.clientCertificate && !tls.spiffe) out.push(buildCertificateSecret(tls.clientCertificate));
  }
  return out;
}
