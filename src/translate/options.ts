// What the translator needs from the static configuration.

export interface EntryPointAddress {
  name: string;
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** UDP entry points: `udp.timeout` in ms (Traefik's default 3 s when absent). */
  udpTimeoutMs?: number;
  /** `transport.respondingTimeouts.readTimeout` in ms: how long Traefik waits for a ClientHello (default 60 s). */
  readTimeoutMs?: number;
  /**
   * `forwardedHeaders`: whom Traefik trusts for incoming X-Forwarded-* headers (from other peers it deletes
   * them before the middlewares run). Absent = trust nobody, Traefik's default.
   */
  forwardedHeaders?: { insecure: boolean; trustedIPs: string[] };
  /** `http.tls`: every HTTP router of the entry point is a TLS router; `options` is the TLS option id. */
  httpTls?: { options: string };
}

export type Profile = 'envoy' | 'grpc';

export interface TranslateOptions {
  entryPoints: EntryPointAddress[];
  profile: Profile;
  /**
   * The fleet's `entryPoints`, in the fleet's order (absent or empty: the static configuration's order). The grpc
   * profile serves a host routed on several entry points from the first of them in this order.
   */
  entryPointOrder?: string[];
}
