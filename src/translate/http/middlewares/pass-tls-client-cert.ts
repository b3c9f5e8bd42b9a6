// PassTLSClientCert: request headers built by Envoy from the client certificate of the downstream TLS
// connection (%DOWNSTREAM_PEER_*% formatters; only those of Envoy ≤ 1.32 are used, an unknown one would
// make Envoy reject the whole route configuration).
// - pem → X-Forwarded-Tls-Client-Cert: %DOWNSTREAM_PEER_CERT%. Traefik sends every certificate the client
//   presented, each as the base64 body of its PEM (armour and newlines removed), comma-separated; Envoy's
//   formatter gives the leaf certificate as URL-encoded PEM, armour included.
// - info → X-Forwarded-Tls-Client-Cert-Info: Traefik's `Subject="…";Issuer="…";SerialNumber="…";NB="…";NA="…";SAN="…"`
//   (only the selected fields), query-escaped. The literal parts are emitted pre-escaped; the values are
//   Envoy's: full RFC 2253 subject/issuer (Traefik: the selected attributes in its own order), hex serial
//   (Traefik: decimal), validity as Unix seconds (exact), SANs DNS,IP,URI (Traefik: DNS, e-mail, IP, URI).
// Both headers are first removed from the request, so a client cannot send its own (Traefik leaves a
// client-sent header in place when the connection has no client certificate).
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';
import type { HeaderValueOption } from '../../../envoy/types';

const CERT = 'X-Forwarded-Tls-Client-Cert';
const INFO = 'X-Forwarded-Tls-Client-Cert-Info';

/** A literal for an Envoy header value, query-escaped as Traefik escapes the whole info value. */
function lit(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%/g, '%%');
}

function anySelected(o: Record<string, unknown> | undefined): boolean {
  return !!o && Object.values(o).some((v) => v === true);
}

export const translatePassTLSClientCert: MiddlewareTranslator = (mw, ctx) => {
  const c = mw.config ?? {};
  const info = c.info as Record<string, any> | undefined;
  const issues: MiddlewareIssue[] = [];
  const fields: string[] = [];
  if (info) {
    if (anySelected(info.subject)) fields.push(`${lit('Subject="')}%DOWNSTREAM_PEER_SUBJECT%${lit('"')}`);
    if (anySelected(info.issuer)) fields.push(`${lit('Issuer="')}%DOWNSTREAM_PEER_ISSUER%${lit('"')}`);
    if (info.serialNumber) fields.push(`${lit('SerialNumber="')}%DOWNSTREAM_PEER_SERIAL%${lit('"')}`);
    if (info.notBefore) fields.push(`${lit('NB="')}%DOWNSTREAM_PEER_CERT_V_START(%s)%${lit('"')}`);
    if (info.notAfter) fields.push(`${lit('NA="')}%DOWNSTREAM_PEER_CERT_V_END(%s)%${lit('"')}`);
    if (info.sans) fields.push(`${lit('SAN="')}%DOWNSTREAM_PEER_DNS_SAN%${lit(',')}%DOWNSTREAM_PEER_IP_SAN%${lit(',')}%DOWNSTREAM_PEER_URI_SAN%${lit('"')}`);
  }
  if (!c.pem && fields.length === 0) {
    return { issues: [{ severity: 'info', field: fieldOf(mw), message: 'neither pem nor any info field is selected: Traefik sets no header, and nothing is emitted' }] };
  }
  const infoName: string = mw.data.infoHeader ?? INFO;
  const remove = [CERT, infoName].map((h) => h.toLowerCase());
  if (!ctx.tls) {
    issues.push({
      severity: 'warning',
      field: fieldOf(mw),
      message: `this route configuration serves plain HTTP, where there is no client certificate: ${CERT}(${infoName.slice(CERT.length)}) headers sent by the client are removed (Traefik would forward them unchanged)`,
    });
    return { route: { requestHeadersToRemove: remove }, issues };
  }
  const add: HeaderValueOption[] = [];
  if (c.pem) {
    add.push({ header: { key: CERT, value: '%DOWNSTREAM_PEER_CERT%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
    issues.push({ severity: 'warning', field: fieldOf(mw, 'pem'), message: `approximated: ${CERT} carries the leaf certificate as URL-encoded PEM (BEGIN/END lines included); Traefik sends each certificate the client presented as bare base64, comma-separated` });
  }
  if (fields.length) {
    add.push({ header: { key: infoName, value: fields.join(lit(';')) }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
    const diffs: string[] = [];
    if (anySelected(info!.subject) || anySelected(info!.issuer)) diffs.push('Subject/Issuer are Envoy\'s full RFC 2253 names (every attribute, most specific first) and not the selected attributes in Traefik\'s order');
    if (info!.serialNumber) diffs.push('SerialNumber is hexadecimal (Traefik: decimal)');
    if (info!.sans) diffs.push('SAN lists DNS, IP and URI names (no e-mail names, and empty entries when a kind is absent)');
    diffs.push('only the leaf certificate is described (Traefik: every certificate the client presented, comma-separated)');
    if (anySelected(info!.subject) || anySelected(info!.issuer) || info!.sans) diffs.push('the names are inserted as they are, not query-escaped like the rest of the value');
    issues.push({ severity: 'warning', field: fieldOf(mw, 'info'), message: `approximated: ${infoName}: ${diffs.join('; ')}` });
  }
  issues.push({ severity: 'info', field: fieldOf(mw), message: `client-sent ${CERT}(${infoName.slice(CERT.length)}) headers are removed first, so a client cannot supply its own (Traefik forwards them when the connection has no client certificate)` });
  return { route: { requestHeadersToRemove: remove, requestHeadersToAdd: add }, issues };
};
