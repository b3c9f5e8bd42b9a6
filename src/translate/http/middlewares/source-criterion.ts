// sourceCriterion (RateLimit, InFlightReq): how Traefik groups requests into sources
// (pkg/middlewares/extractor.go GetSourceExtractor). The three criteria are mutually exclusive: Traefik
// refuses the middleware when two are set.
import type { SourceCriterion } from '../../../model/crds/types';

export type Source =
  | { t: 'ip'; depth?: number; excludedIPs?: string[]; ipv6Subnet?: number }
  | { t: 'header'; name: string }
  | { t: 'host' };

/** The criterion Traefik uses (`fallback` when none is set), or why Traefik refuses it. */
export function sourceOf(sc: SourceCriterion | undefined, fallback: Source): Source | { error: string } {
  if (!sc) return fallback;
  const ip = sc.ipStrategy !== undefined && sc.ipStrategy !== null;
  const header = !!sc.requestHeaderName;
  const host = sc.requestHost === true;
  if (ip && header) return { error: 'ipStrategy and requestHeaderName are mutually exclusive' };
  if (ip && host) return { error: 'ipStrategy and requestHost are mutually exclusive' };
  if (header && host) return { error: 'requestHost and requestHeaderName are mutually exclusive' };
  if (ip) {
    const s = sc.ipStrategy!;
    return { t: 'ip', depth: s.depth, excludedIPs: s.excludedIPs, ipv6Subnet: s.ipv6Subnet };
  }
  if (header) return { t: 'header', name: sc.requestHeaderName! };
  if (host) return { t: 'host' };
  return fallback;
}

/** "per client IP (the peer address)", for messages. */
export function describeSource(s: Source): string {
  switch (s.t) {
    case 'ip':
      if (s.depth) return `per client IP (the X-Forwarded-For entry at depth ${s.depth})`;
      if (s.excludedIPs?.length) return 'per client IP (the first X-Forwarded-For entry, from the right, not in excludedIPs)';
      return 'per client IP (the peer address)';
    case 'header':
      return `per value of the ${s.name} request header`;
    case 'host':
      return 'per request Host';
  }
}
