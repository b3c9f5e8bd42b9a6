// The part of the static configuration the model needs, in one flat, defaulted shape.

export interface ProviderOptions {
  /** Empty: every namespace. */
  namespaces: string[];
  labelSelector: string;
  ingressClass: string;
  allowCrossNamespace: boolean;
  allowExternalNameServices: boolean;
  allowEmptyServices: boolean;
  nativeLBByDefault: boolean;
  disableClusterScopeResources: boolean;
}

export interface EntryPointInfo {
  name: string;
  protocol: 'tcp' | 'udp';
}

export interface DefaultTransport {
  insecureSkipVerify: boolean;
  /** PEM bundles read from `serversTransport.rootCAs` files. */
  rootCAs: string[];
  dialTimeoutMs: number;
  idleConnTimeoutMs: number;
}

/** The static `tcpServersTransport`: default@internal of TCP services. */
export interface DefaultTcpTransport {
  dialTimeoutMs: number;
  /** Negative: keep-alive probes off. */
  dialKeepAliveMs: number;
  /** Present = static `tcpServersTransport.tls`; rootCAs are PEM bundles. */
  tls?: { insecureSkipVerify: boolean; rootCAs: string[]; spiffe: boolean };
}

export interface ModelOptions {
  provider: ProviderOptions;
  defaultRuleSyntax: 'v2' | 'v3';
  entryPoints: EntryPointInfo[];
  /** Entry points of routers that name none. */
  defaultEntryPoints: string[];
  defaultTransport: DefaultTransport;
  /** default@internal for TCP services; Traefik's defaults (30 s, 15 s, no TLS) when absent. */
  tcpTransport?: DefaultTcpTransport;
}

export const DEFAULT_PROVIDER_OPTIONS: ProviderOptions = {
  namespaces: [],
  labelSelector: '',
  ingressClass: '',
  allowCrossNamespace: false,
  allowExternalNameServices: false,
  allowEmptyServices: false,
  nativeLBByDefault: false,
  disableClusterScopeResources: false,
};
