// A TLSOption as Envoy's DownstreamTlsContext (traefik-to-envoy.md §10.1, §10.4): versions, BoringSSL cipher
// and curve names, ALPN, session tickets, client authentication; certificates and CAs always over SDS.
import { ADS, T } from '../type-urls';
import type { TlsOptionsModel } from '../../model/tls-options';

/** SDS name of the combined client-CA bundle of a TLS option. */
export function clientCaSecretName(option: TlsOptionsModel): string {
  return `tls-option/${option.id}/client-ca`;
}

export function downstreamTlsContext(option: TlsOptionsModel, certificateNames: string[]): { '@type': string; [k: string]: unknown } {
  const params: Record<string, unknown> = { tls_minimum_protocol_version: option.minVersion };
  if (option.maxVersion) params.tls_maximum_protocol_version = option.maxVersion;
  if (option.cipherSuites) params.cipher_suites = option.cipherSuites;
  if (option.ecdhCurves) params.ecdh_curves = option.ecdhCurves;
  const common: Record<string, unknown> = {
    tls_params: params,
    tls_certificate_sds_secret_configs: certificateNames.map((name) => ({ name, sds_config: ADS })),
  };
  if (option.alpn.length) common.alpn_protocols = option.alpn;
  const ctx: Record<string, unknown> = { '@type': T.downstreamTls, common_tls_context: common };
  switch (option.clientAuth) {
    case 'none':
      break;
    case 'verify-if-given':
    case 'require-and-verify':
      common.validation_context_sds_secret_config = { name: clientCaSecretName(option), sds_config: ADS };
      ctx.require_client_certificate = option.clientAuth === 'require-and-verify';
      break;
    case 'request':
    case 'require-any':
      // Go asks for (or requires) a certificate without verifying it.
      common.validation_context = { trust_chain_verification: 'ACCEPT_UNTRUSTED' };
      ctx.require_client_certificate = option.clientAuth === 'require-any';
      break;
  }
  if (option.disableSessionTickets) ctx.disable_stateless_session_resumption = true;
  return ctx as { '@type': string };
}
