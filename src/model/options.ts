// The part of the static configuration the model needs, in one flat, defaulted shape.
import type { KubernetesFilterOptions, KubernetesIngressProvider } from '../config/types';

/** The kubernetesCRD filter and reference options the model applies (crossProviderNamespaces is not one of them). */
export type ProviderOptions = Omit<KubernetesFilterOptions, 'crossProviderNamespaces'>;

export interface EntryPointInfo {
  name: string;
  protocol: 'tcp' | 'udp';
  /** `http.middlewares`: Traefik ids (`ns-name@kubernetescrd`) prepended to every router of the entry point. */
  middlewares?: string[];
  /** Listening port and whether `http.tls` is set: what a 1.7 `redirect-entry-point` redirects to. */
  port?: number;
  tls?: boolean;
}

/**
 * The static `serversTransport`: Traefik's `default@internal` transport of HTTP services (traefik-semantics.md
 * §12.1). Traefik copies only these fields into it (pkg/provider/traefik/internal.go); HTTP/2 pings are off.
 */
export interface DefaultTransport {
  insecureSkipVerify: boolean;
  /** PEM bundles read from `serversTransport.rootCAs` files. */
  rootCAs: string[];
  /** 200 by default; 0 = Go's default (2); negative = no connection reuse. */
  maxIdleConnsPerHost?: number;
  dialTimeoutMs: number;
  /** 0 = none (the default). */
  responseHeaderTimeoutMs?: number;
  idleConnTimeoutMs: number;
  /** `serversTransport.spiffe`: SPIFFE mTLS towards every server of default@internal. */
  spiffe?: { ids: string[]; trustDomain: string };
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
  /** `providers.kubernetesIngress`: present = Ingress objects are routed (model/ingress-routers.ts). */
  ingress?: KubernetesIngressProvider;
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
