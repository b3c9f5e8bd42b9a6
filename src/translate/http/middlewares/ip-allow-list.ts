// IPAllowList (and the deprecated IPWhiteList): an RBAC filter instance that allows the source ranges and
// denies the rest with 403, Traefik's default reject status. The client IP is chosen by ipStrategy
// (pkg/ip/strategy.go):
//   - none (or neither depth nor excludedIPs): the peer address → `direct_remote_ip`; ipv6Subnet masks the
//     client address, which is the same as widening (or dropping) IPv6 ranges longer than the subnet.
//   - depth N: the N-th X-Forwarded-For entry from the right; excludedIPs: the right-most entry not excluded.
//     Traefik's entry point deletes X-Forwarded-For from peers it does not trust (forwardedHeaders), so then
//     every request is rejected; from trusted peers the header reaches the middleware as sent. Envoy has
//     appended the peer address by then, so the entries are matched one place further left, by a regex over
//     the whole header built from the ranges (IPv4; IPv6 entries never match: those clients are rejected).
import { normalizeClientIP } from '../../../model/rules';
import { cidrToRange, rangesPattern, subtractRanges, type V4Range } from './xff-regex';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator, type MiddlewareTranslateContext } from './types';
import type { ResolvedMiddleware } from '../../../model/middlewares';

const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';

export function cidrRange(cidr: string): { address_prefix: string; prefix_len: number } {
  const [addr, len] = cidr.split('/');
  return { address_prefix: addr, prefix_len: Number(len) };
}

function normalizeAll(mw: ResolvedMiddleware, list: string[], field: string, issues: MiddlewareIssue[]): string[] {
  const out: string[] = [];
  list.forEach((r, i) => {
    const n = normalizeClientIP(r.trim());
    if (typeof n !== 'string') issues.push({ severity: 'error', field: fieldOf(mw, `${field}[${i}]`), message: `"${r}" is not an IP address or CIDR range` });
    else out.push(n);
  });
  return [...new Set(out)].sort();
}

const isV6 = (cidr: string) => cidr.includes(':');

/** IPv6 bytes of an address text already normalised by normalizeClientIP. */
function v6Bytes(addr: string): number[] {
  const [head, tail] = addr.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

function v6Text(bytes: number[]): string {
  return normalizeClientIP(Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(':'))!.replace(/\/128$/, '');
}

/**
 * ipv6Subnet: Traefik masks an IPv6 client address to /subnet before the check. A range of prefix ≤ subnet
 * matches the same clients; a longer one matches exactly the /subnet clients when its bits past the subnet
 * are zero (the masked address is then inside it), otherwise none.
 */
function applySubnet(cidrs: string[], subnet: number): { cidrs: string[]; dropped: string[] } {
  const out: string[] = [];
  const dropped: string[] = [];
  for (const c of cidrs) {
    const [addr, lenText] = c.split('/');
    const len = Number(lenText);
    if (!isV6(c) || len <= subnet) {
      out.push(c);
      continue;
    }
    const b = v6Bytes(addr!);
    let zero = true;
    for (let bit = subnet; bit < len; bit++) if (b[bit >> 3]! & (0x80 >> (bit & 7))) zero = false;
    if (!zero) {
      dropped.push(c);
      continue;
    }
    const masked = b.map((x, i) => x & ((0xff << (8 - Math.max(0, Math.min(8, subnet - i * 8)))) & 0xff));
    out.push(`${v6Text(masked)}/${subnet}`);
  }
  return { cidrs: [...new Set(out)].sort(), dropped };
}

/** One X-Forwarded-For entry holding an allowed address, as Traefik's IsAuthorized reads it (host[:port]). */
function allowedEntry(pattern: string): string {
  return `\\s*${pattern}(?::[0-9]*)?\\s*`;
}

/** Regex over Envoy's X-Forwarded-For (the client's entries, then the peer Envoy appended). */
export function depthRegex(allowed: string, depth: number): string {
  return `(?:[^,]*,)*${allowedEntry(allowed)}(?:,[^,]*){${depth}}`;
}

/**
 * excludedIPs: the right-most client entry that is neither empty nor an excluded address (without port) must
 * be allowed; an entry with a port is never excluded (Traefik cannot parse it as an address there) and is
 * checked by its host part.
 */
export function poolRegex(allowedRanges: V4Range[], excludedRanges: V4Range[]): string | undefined {
  const allowedNotExcluded = rangesPattern(subtractRanges(allowedRanges, excludedRanges));
  const allowedAny = rangesPattern(allowedRanges);
  const excluded = rangesPattern(excludedRanges);
  if (!allowedAny) return undefined;
  const chosen = [
    ...(allowedNotExcluded ? [`\\s*${allowedNotExcluded}\\s*`] : []),
    `\\s*${allowedAny}:[0-9]*\\s*`,
  ];
  const skip = excluded ? `\\s*(?:${excluded})?\\s*` : '\\s*';
  return `(?:[^,]*,)*(?:${chosen.join('|')})(?:,${skip})*,[^,]*`;
}

/** Whom the entry point trusts for X-Forwarded-For (Traefik deletes it for the others). */
function trust(ctx: MiddlewareTranslateContext): { kind: 'none' | 'all' } | { kind: 'some'; cidrs: string[] } {
  const fh = ctx.entryPoint?.forwardedHeaders;
  if (fh?.insecure) return { kind: 'all' };
  const cidrs = (fh?.trustedIPs ?? []).map((t) => normalizeClientIP(t.trim())).filter((x): x is string => typeof x === 'string');
  return cidrs.length ? { kind: 'some', cidrs: [...new Set(cidrs)].sort() } : { kind: 'none' };
}

function rbac(mw: ResolvedMiddleware, principals: Record<string, unknown>[]) {
  return {
    kind: 'rbac',
    typedConfig: {
      '@type': RBAC,
      // No policy at all: every request is denied.
      rules: principals.length
        ? { action: 'ALLOW', policies: { [mw.id]: { permissions: [{ any: true }], principals } } }
        : { action: 'ALLOW' },
    },
  };
}

export const translateIPAllowList: MiddlewareTranslator = (mw, ctx) => {
  const issues: MiddlewareIssue[] = [];
  const ranges: string[] = mw.config.sourceRange ?? [];
  if (ranges.length === 0) return { issues: [{ severity: 'error', field: fieldOf(mw, 'sourceRange'), message: 'sourceRange is empty (Traefik refuses this middleware)' }] };
  let cidrs = normalizeAll(mw, ranges, 'sourceRange', issues);
  const strategy = mw.config.ipStrategy as { depth?: number; excludedIPs?: string[]; ipv6Subnet?: number } | undefined;
  const depth = strategy?.depth ?? 0;
  const excludedList = strategy?.excludedIPs ?? [];
  const subnet = strategy?.ipv6Subnet;
  if (subnet !== undefined && (depth > 0 || excludedList.length === 0) && !(subnet > 0 && subnet <= 128)) {
    issues.push({ severity: 'error', field: fieldOf(mw, 'ipStrategy.ipv6Subnet'), message: `invalid IPv6 subnet ${subnet} value, should be greater to 0 and lower or equal to 128 (Traefik refuses this middleware)` });
  }
  if (mw.type === 'ipAllowList' && mw.config.rejectStatusCode !== undefined && mw.config.rejectStatusCode !== 403) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'rejectStatusCode'), message: `approximated: Envoy's RBAC filter always denies with 403, not ${mw.config.rejectStatusCode}` });
  }
  if (depth === 0 && excludedList.length === 0) {
    // RemoteAddr strategy.
    if (subnet !== undefined && subnet > 0 && subnet <= 128) {
      const r = applySubnet(cidrs, subnet);
      cidrs = r.cidrs;
      if (r.dropped.length) {
        issues.push({ severity: 'warning', field: fieldOf(mw, 'ipStrategy.ipv6Subnet'), message: `${r.dropped.join(', ')} can never match, as in Traefik: the client address is masked to /${subnet} first, which clears bits these ranges need` });
      }
    }
    if (issues.some((i) => i.severity === 'error')) return { issues };
    // direct_remote_ip: the peer address, as Traefik's RemoteAddr strategy.
    return { filter: rbac(mw, cidrs.map((c) => ({ direct_remote_ip: cidrRange(c) }))), issues };
  }

  // X-Forwarded-For strategies.
  if (depth > 0 && excludedList.length) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'ipStrategy.excludedIPs'), message: 'ignored, as in Traefik: depth takes precedence' });
  }
  const excluded = depth > 0 ? [] : normalizeAll(mw, excludedList, 'ipStrategy.excludedIPs', issues);
  if (issues.some((i) => i.severity === 'error')) return { issues };
  const v6 = [...cidrs, ...excluded].filter(isV6);
  if (v6.length) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'ipStrategy'), message: `approximated: IPv6 ranges (${v6.join(', ')}) are not matched in X-Forwarded-For: requests whose chosen entry is an IPv6 address are rejected${excluded.some(isV6) ? ', and IPv6 entries are never skipped as excluded' : ''}` });
  }
  if (subnet !== undefined && depth > 0) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'ipStrategy.ipv6Subnet'), message: 'no effect here: it only masks IPv6 addresses, which are not matched in X-Forwarded-For' });
  }
  const allowed = cidrs.filter((c) => !isV6(c)).map(cidrToRange);
  let regex: string | undefined;
  if (allowed.length) {
    regex = depth > 0 ? depthRegex(rangesPattern(allowed)!, depth) : poolRegex(allowed, excluded.filter((c) => !isV6(c)).map(cidrToRange));
  }
  const t = trust(ctx);
  if (t.kind === 'none' || !regex) {
    if (t.kind === 'none') {
      issues.push({
        severity: 'warning',
        field: fieldOf(mw, 'ipStrategy'),
        message: `every request is rejected, as in Traefik: entry point ${ctx.entryPoint?.name ?? '(unknown)'} does not trust forwarded headers (forwardedHeaders.insecure / trustedIPs), so X-Forwarded-For is removed before this middleware`,
      });
    }
    return { filter: rbac(mw, []), issues };
  }
  if (regex.length > 2000) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'sourceRange'), message: `the X-Forwarded-For regex built from these ranges is long (${regex.length} characters): check that it stays under Envoy's re2.max_program_size.error_level (the bootstrap traefik-xds generates sets 1000)` });
  }
  issues.push({
    severity: 'info',
    field: fieldOf(mw, 'ipStrategy'),
    message: 'X-Forwarded-For is matched as one header: a request that carries it several times is compared with Envoy\'s joined value; IPv4-mapped IPv6 entries (::ffff:a.b.c.d) are rejected',
  });
  const header = { header: { name: 'x-forwarded-for', string_match: { safe_regex: { regex } } } };
  const principal = t.kind !== 'some'
    ? header
    : {
      and_ids: {
        ids: [
          // X-Forwarded-For is only kept from the trusted peers.
          t.cidrs.length === 1 ? { direct_remote_ip: cidrRange(t.cidrs[0]!) } : { or_ids: { ids: t.cidrs.map((c) => ({ direct_remote_ip: cidrRange(c) })) } },
          header,
        ],
      },
    };
  return { filter: rbac(mw, [principal]), issues };
};
