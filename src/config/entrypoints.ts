// Entry point helpers: address syntax and Traefik's default-entry-point rule.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { ListenAddress, Protocol } from './types';

/** Traefik's internal entry point (API/dashboard/ping); never a default entry point. */
export const INTERNAL_ENTRY_POINT = 'traefik';

/**
 * Parses an address: `host:port`, `:port`, `[ipv6]:port`, each optionally followed by `/tcp` or `/udp`
 * (case-insensitive, as Traefik's GetProtocol). A bare `port` (`8080`, `53/udp`) is accepted as `:port`.
 * Port 0 parses; callers that need a fixed port reject it.
 */
export function parseAddress(addr: string): ListenAddress | { error: string } {
  if (typeof addr !== 'string') return { error: 'address must be a string' };
  if (addr === '') return { error: 'address is empty' };
  if (/\s/.test(addr)) return { error: `invalid address "${addr}": contains whitespace` };

  let hostPort = addr;
  let protocol: Protocol = 'tcp';
  const slash = addr.indexOf('/');
  if (slash >= 0) {
    hostPort = addr.slice(0, slash);
    const p = addr.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') return { error: `invalid protocol "${addr.slice(slash + 1)}" in address "${addr}" (tcp or udp)` };
    protocol = p;
  }

  let host: string;
  let portText: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return { error: `invalid address "${addr}": missing "]"` };
    host = hostPort.slice(1, close);
    const rest = hostPort.slice(close + 1);
    if (rest === '') return { error: `invalid address "${addr}": missing port` };
    if (!rest.startsWith(':')) return { error: `invalid address "${addr}": expected ":port" after "]"` };
    portText = rest.slice(1);
    if (!isIPv6(host)) return { error: `invalid address "${addr}": "${host}" is not an IPv6 address` };
  } else {
    const colons = hostPort.split(':').length - 1;
    if (colons === 0) {
      if (!/^[0-9]+$/.test(hostPort)) return { error: `invalid address "${addr}": missing port (host:port, :port or [::]:port)` };
      host = '';
      portText = hostPort;
    } else if (colons > 1) {
      return { error: `invalid address "${addr}": too many colons (write IPv6 addresses in brackets, e.g. [::]:80)` };
    } else {
      const i = hostPort.indexOf(':');
      host = hostPort.slice(0, i);
      portText = hostPort.slice(i + 1);
      const err = checkHost(host);
      if (err) return { error: `invalid address "${addr}": ${err}` };
    }
  }

  if (portText === '') return { error: `invalid address "${addr}": missing port` };
  if (!/^[0-9]+$/.test(portText)) return { error: `invalid address "${addr}": port "${portText}" is not a number` };
  const port = Number(portText);
  if (port > 65535) return { error: `invalid address "${addr}": port ${port} is out of range (max 65535)` };
  return { host, port, protocol };
}

function checkHost(host: string): string | undefined {
  if (host === '' || isIP(host) !== 0) return undefined;
  if (/^[0-9.]+$/.test(host)) return `"${host}" is not a valid IPv4 address`;
  if (host.length > 253) return `host name is too long`;
  for (const label of host.replace(/\.$/, '').split('.')) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) return `"${host}" is not a valid host name or IP address`;
  }
  return undefined;
}

/** `host:port` (IPv6 in brackets, '' host kept as `:port`), with `/udp` when UDP and `withProtocol`. */
export function formatAddress(a: ListenAddress, withProtocol = false): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  const suffix = withProtocol && a.protocol === 'udp' ? '/udp' : '';
  return `${host}:${a.port}${suffix}`;
}

/** True when the host is an IP literal or empty (what an Envoy listener can bind to). */
export function isBindableHost(host: string): boolean {
  return host === '' || isIP(host) !== 0;
}

/**
 * Whether two listeners would fight for the same socket: same protocol and port, and the same host or
 * a wildcard covering the other (`''` and `::` cover both families, `0.0.0.0` covers IPv4).
 */
export function addressesConflict(a: ListenAddress, b: ListenAddress): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false;
  const ha = normHost(a.host);
  const hb = normHost(b.host);
  if (ha === hb) return true;
  if (ha === '' || hb === '') return true;
  if (ha === '::' && isIPv6(hb)) return true;
  if (hb === '::' && isIPv6(ha)) return true;
  if (ha === '0.0.0.0' && isIPv4(hb)) return true;
  if (hb === '0.0.0.0' && isIPv4(ha)) return true;
  return false;
}

function normHost(h: string): string {
  const lower = h.toLowerCase();
  if (lower === '::' || lower === '0:0:0:0:0:0:0:0') return '::';
  return lower;
}

/**
 * Traefik's default entry points, for routers that name none: if any entry point has `asDefault`,
 * only those; else all. In both cases UDP entry points and the one named `traefik` are left out.
 * Sorted by name, as Traefik sorts them.
 */
export function defaultEntryPoints(config: {
  entryPoints: Record<string, { asDefault: boolean; address: { protocol: Protocol } }>;
}): string[] {
  const eps = Object.entries(config.entryPoints);
  const hasDefined = eps.some(([, ep]) => ep.asDefault);
  const out: string[] = [];
  for (const [name, ep] of eps) {
    if (hasDefined && !ep.asDefault) continue;
    if (ep.address.protocol === 'udp' || name === INTERNAL_ENTRY_POINT) continue;
    out.push(name);
  }
  return out.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
