// Go (Traefik) cipher suite and TLS version names → BoringSSL (Envoy) names, shared by TLSOption and
// ServersTransport(TCP) (traefik-to-envoy.md §10.2),
// from BoringSSL's `kCiphers`. Never pass an unknown cipher string to Envoy: the resource would be NACKed.

/** Go name → BoringSSL name, for the suites BoringSSL implements (TLS 1.0–1.2 only). */
export const BORINGSSL_CIPHERS: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
};

/** Suites Go (and so Traefik) accepts that BoringSSL does not implement. */
export const GO_ONLY_CIPHERS = new Set([
  'TLS_RSA_WITH_AES_128_CBC_SHA256', 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_RC4_128_SHA',
  'TLS_ECDHE_ECDSA_WITH_RC4_128_SHA', 'TLS_ECDHE_RSA_WITH_RC4_128_SHA',
]);

/** TLS 1.3 suites (not configurable in Go or BoringSSL) and the fallback signal: dropped silently. */
export const UNCONFIGURABLE_CIPHERS = new Set(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_FALLBACK_SCSV']);

/** Go TLS version names → Envoy `TlsParameters.TlsProtocol`. */
export const TLS_PROTOCOLS: Record<string, 'TLSv1_0' | 'TLSv1_1' | 'TLSv1_2' | 'TLSv1_3'> = {
  VersionTLS10: 'TLSv1_0',
  VersionTLS11: 'TLSv1_1',
  VersionTLS12: 'TLSv1_2',
  VersionTLS13: 'TLSv1_3',
};

/** Maps Go names to BoringSSL ones: the suites Envoy can offer (duplicates removed), and the ones it cannot. */
export function boringSslCiphers(goNames: string[]): { ciphers: string[]; unsupported: string[] } {
  const ciphers: string[] = [];
  const unsupported: string[] = [];
  for (const n of goNames) {
    const b = BORINGSSL_CIPHERS[n];
    if (b) {
      if (!ciphers.includes(b)) ciphers.push(b);
    } else if (!UNCONFIGURABLE_CIPHERS.has(n)) unsupported.push(n);
  }
  return { ciphers, unsupported };
}
