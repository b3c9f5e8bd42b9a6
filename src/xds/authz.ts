// Node authorization: which fleet a node may join. A node chooses its fleet by what it announces (cluster,
// id, metadata), so a fleet with `clientCertificate.san` also requires the TLS client certificate of the
// connection (verified against xds.tls.clientCAFile by the TLS layer) to carry a matching SAN: DNS name,
// URI (a SPIFFE ID), IP address or e-mail. A node claiming a fleet it is not entitled to gets
// PERMISSION_DENIED, and the refusal is logged with what it claimed and what it presented.
//
// Secrets follow from it: each fleet's snapshot holds only the SDS secrets its own listeners and clusters
// reference (translate), and a stream is served only from its fleet's snapshot.
import { compileGlob } from '../config/glob';
import type * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import type { Fleet } from '../config/types';
import type { EnvoyResources } from '../envoy/resources';
import { DEFAULT_FLEET, type FleetKey } from './fleets';
import type { Logger } from './stream-context';
import type { NodeInfo } from './wire';

/** Parses Node's `subjectaltname` ("DNS:a, URI:spiffe://x/y, IP Address:10.0.0.1", values with ", " quoted as JSON). */
export function parseSubjectAltName(s: string | undefined): { type: string; value: string }[] {
  if (!s) return [];
  const out: { type: string; value: string }[] = [];
  let i = 0;
  while (i < s.length) {
    const colon = s.indexOf(':', i);
    if (colon < 0) break;
    const type = s.slice(i, colon).trim();
    let j = colon + 1;
    let value: string;
    if (s[j] === '"') {
      // JSON string (Node quotes values that contain separators or control characters).
      let k = j + 1;
      while (k < s.length && s[k] !== '"') k += s[k] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(s.slice(j, k + 1)) as string;
      } catch {
        value = s.slice(j + 1, k);
      }
      j = k + 1;
    } else {
      const end = s.indexOf(', ', j);
      value = s.slice(j, end < 0 ? s.length : end);
      j = end < 0 ? s.length : end;
    }
    out.push({ type, value });
    const next = s.indexOf(', ', j);
    if (next < 0) break;
    i = next + 2;
  }
  return out;
}

/** The SAN values of a peer certificate, as "DNS:..", "URI:..", "IP:..", "email:.." (for logs and /api/clients). */
export function certificateSans(cert: PeerCertificate | undefined): string[] {
  return parseSubjectAltName(cert?.subjectaltname).map((x) => `${x.type === 'IP Address' ? 'IP' : x.type}:${x.value}`);
}

export interface Identity {
  /** A certificate was presented and verified against the client CA. */
  verified: boolean;
  sans: string[];
  subject?: string;
}

/** The verified client identity of a call (grpc-js reports the peer certificate only when the TLS layer authorized it). */
export function identityOf(call: grpc.ServerDuplexStream<any, any>): Identity {
  const ctx = typeof call.getAuthContext === 'function' ? call.getAuthContext() : {};
  const cert = ctx.sslPeerCertificate;
  if (!cert) return { verified: false, sans: [] };
  return { verified: true, sans: certificateSans(cert), subject: cert.subject?.CN ? `CN=${cert.subject.CN}` : undefined };
}

export interface AuthorizerOptions {
  fleets: Fleet[];
  /** mTLS is on (xds.tls.clientCAFile): patterns are enforced. Without it no client certificate exists to check. */
  mtls: boolean;
  log: Logger;
  /** Called on every refusal (metrics). */
  onDeny?: (fleet: string, reason: string) => void;
}

/** The StreamContext `authorize` hook. */
export function createAuthorizer(o: AuthorizerOptions): (call: grpc.ServerDuplexStream<any, any>, node: NodeInfo, fleet: FleetKey) => string | undefined {
  const patterns = new Map<string, RegExp>();
  for (const f of o.fleets) {
    if (!f.clientCertificate) continue;
    const re = compileGlob(f.clientCertificate.san);
    // An invalid pattern (the loader reports it) matches nothing: the fleet fails closed.
    patterns.set(f.name, re instanceof RegExp ? re : /(?!)/);
  }
  // With patterns in force, the implicit default fleet (no configured fleet matched: every entry point, every
  // secret) is closed: otherwise any node could step around its fleet's pattern by announcing a cluster
  // nothing matches. A configured catch-all fleet (`match: {}`) reopens it deliberately.
  const closeDefault = o.mtls && patterns.size > 0 && !o.fleets.some((f) => f.name === DEFAULT_FLEET);
  return (call, node, fk) => {
    if (!o.mtls) return undefined;
    if (closeDefault && fk.fleet === DEFAULT_FLEET) {
      const id = identityOf(call);
      o.log.warn('xds: node refused (PERMISSION_DENIED)', {
        node: node.id, cluster: node.cluster, fleet: fk.fleet, peer: safePeer(call), certificateSans: id.sans, subject: id.subject,
        reason: 'no configured fleet matches the node',
      });
      o.onDeny?.(fk.fleet, 'no_fleet');
      return `node ${JSON.stringify(node.id)} (cluster ${JSON.stringify(node.cluster)}) matches no configured fleet, and fleets require client certificates: ` +
        'the implicit default fleet is closed (add a fleet with `match: {}` to open it)';
    }
    const re = patterns.get(fk.fleet);
    if (!re) return undefined;
    const id = identityOf(call);
    const matches = id.sans.some((s) => re.test(s.slice(s.indexOf(':') + 1)));
    if (matches) return undefined;
    const reason = id.verified
      ? `node ${JSON.stringify(node.id)} is not allowed in fleet ${JSON.stringify(fk.fleet)}: no SAN of its client certificate matches the fleet's clientCertificate.san`
      : `node ${JSON.stringify(node.id)} is not allowed in fleet ${JSON.stringify(fk.fleet)}: no verified client certificate`;
    o.log.warn('xds: node refused (PERMISSION_DENIED)', {
      node: node.id, cluster: node.cluster, fleet: fk.fleet, peer: safePeer(call), certificateSans: id.sans, subject: id.subject,
      required: patterns.has(fk.fleet) ? o.fleets.find((f) => f.name === fk.fleet)?.clientCertificate?.san : undefined,
    });
    o.onDeny?.(fk.fleet, id.verified ? 'san_mismatch' : 'no_certificate');
    return reason;
  };
}

function safePeer(call: grpc.ServerDuplexStream<any, any>): string | undefined {
  try {
    return call.getPeer();
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------ SDS scoping

/** Every SDS secret name a listener or cluster refers to (sds_config-backed `name` fields of TLS contexts). */
export function referencedSecretNames(r: Pick<EnvoyResources, 'listeners' | 'clusters'>): Set<string> {
  const out = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const y of x) walk(y);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if ((k === 'tls_certificate_sds_secret_configs' || k === 'validation_context_sds_secret_config' || k === 'session_ticket_keys_sds_secret_config')) {
          for (const c of Array.isArray(v) ? v : [v]) if (c && typeof (c as { name?: unknown }).name === 'string') out.add((c as { name: string }).name);
        }
        if (k === 'combined_validation_context') {
          const n = (v as { validation_context_sds_secret_config?: { name?: string } }).validation_context_sds_secret_config?.name;
          if (n) out.add(n);
        }
        walk(v);
      }
    }
  };
  walk(r.listeners);
  walk(r.clusters);
  return out;
}

/** Secrets of a fleet's resources that none of its listeners or clusters use (should be none: translate scopes them). */
export function unreferencedSecrets(r: EnvoyResources): string[] {
  const used = referencedSecretNames(r);
  return r.secrets.map((s) => (s as { name?: string }).name ?? '').filter((n) => !used.has(n)).sort();
}
