// MiddlewareTCP: spec schema and the one-type rule.
import { checkExactlyOne } from './middleware';
import { Schema, SchemaReport, deprecated, int64, obj, strList } from './schema';

export const middlewareTCPTypeSchemas: Record<string, Schema> = {
  inFlightConn: obj({ amount: int64('Maximum simultaneous connections per client IP.', { minimum: 0 }) }, 'Limits simultaneous connections.'),
  ipWhiteList: deprecated(obj({ sourceRange: strList('Allowed IPs or CIDR ranges.') }, 'Restricts client IPs.'), 'use ipAllowList instead'),
  ipAllowList: obj({ sourceRange: strList('Allowed IPs or CIDR ranges.') }, 'Restricts client IPs.'),
};

export const MIDDLEWARE_TCP_TYPES = Object.keys(middlewareTCPTypeSchemas);

export const middlewareTCPSpecSchema: Schema = obj(middlewareTCPTypeSchemas, 'MiddlewareTCP specification: exactly one middleware type.');

export function checkMiddlewareTCPSpec(spec: unknown, path: string, report: SchemaReport): void {
  checkExactlyOne(spec, MIDDLEWARE_TCP_TYPES, path, report, 'TCP middleware');
}
