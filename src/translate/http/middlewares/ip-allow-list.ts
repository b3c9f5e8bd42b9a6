// IPAllowList (and the deprecated IPWhiteList): an RBAC filter instance that allows the source ranges and
// denies the rest with 403, Traefik's default reject status. Traefik's client IP is the peer address unless
// ipStrategy says otherwise; an ipStrategy this version cannot reproduce is refused (an allow-list that
// looked at the wrong address could let everybody in).
import { normalizeClientIP } from '../../../model/rules';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';

const RBAC = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';

export function cidrRange(cidr: string): { address_prefix: string; prefix_len: number } {
  const [addr, len] = cidr.split('/');
  return { address_prefix: addr, prefix_len: Number(len) };
}

export const translateIPAllowList: MiddlewareTranslator = (mw) => {
  const issues: MiddlewareIssue[] = [];
  const ranges: string[] = mw.config.sourceRange ?? [];
  if (ranges.length === 0) return { issues: [{ severity: 'error', field: fieldOf(mw, 'sourceRange'), message: 'sourceRange is empty (Traefik refuses this middleware)' }] };
  const cidrs: string[] = [];
  ranges.forEach((r, i) => {
    const n = normalizeClientIP(r.trim());
    if (typeof n !== 'string') issues.push({ severity: 'error', field: fieldOf(mw, `sourceRange[${i}]`), message: `"${r}" is not an IP address or CIDR range` });
    else cidrs.push(n);
  });
  const strategy = mw.config.ipStrategy;
  if (strategy && (strategy.depth || (strategy.excludedIPs ?? []).length)) {
    issues.push({
      severity: 'error',
      field: fieldOf(mw, 'ipStrategy'),
      message: 'ipStrategy.depth/excludedIPs (client IP taken from X-Forwarded-For) is not translated yet; the route is left out rather than filtered on the wrong address',
    });
  }
  if (strategy?.ipv6Subnet !== undefined) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'ipStrategy.ipv6Subnet'), message: 'ignored: it only groups clients for ipStrategy lookups, and the peer address is matched as is' });
  }
  if (mw.type === 'ipAllowList' && mw.config.rejectStatusCode !== undefined && mw.config.rejectStatusCode !== 403) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'rejectStatusCode'), message: `approximated: Envoy's RBAC filter always denies with 403, not ${mw.config.rejectStatusCode}` });
  }
  if (issues.some((i) => i.severity === 'error')) return { issues };
  return {
    filter: {
      kind: 'rbac',
      typedConfig: {
        '@type': RBAC,
        rules: {
          action: 'ALLOW',
          policies: {
            [mw.id]: {
              permissions: [{ any: true }],
              // direct_remote_ip: the peer address, as Traefik's default (RemoteAddr) strategy.
              principals: [...new Set(cidrs)].sort().map((c) => ({ direct_remote_ip: cidrRange(c) })),
            },
          },
        },
      },
    },
    issues,
  };
};
