// MiddlewareTCP ipAllowList / ipWhiteList (traefik-semantics.md §5.5): Traefik closes connections from other
// addresses as soon as it accepts them. traefik-xds folds the allow list into the filter-chain selection
// (source_prefix_ranges, or a SourceIPInput matcher): a refused client reaches the "closed" chain, and no
// upstream connection is ever opened for it (a network RBAC filter would only act on the first bytes,
// after tcp_proxy has already dialled the server).
import { cidrHolds } from './dispatch';
import type { TcpMiddleware } from '../../model/model';

type AllowList = Extract<TcpMiddleware, { type: 'ipAllowList' }>;

/** Whether the client address passes the allow list (Traefik's ip.Checker: bare IPs and CIDRs). */
export function ipAllowed(m: AllowList, ip: string): boolean {
  return m.cidrs.some((c) => cidrHolds(c, ip));
}

/** The CIDRs of every allow list of a router, in order (each list must pass). */
export function allowLists(middlewares: TcpMiddleware[]): string[][] {
  return middlewares.filter((m): m is AllowList => m.type === 'ipAllowList').map((m) => m.cidrs);
}
