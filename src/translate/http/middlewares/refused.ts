// Middlewares with no faithful Envoy form (yet): refused, so a route is never served without them.
import { fieldOf, type MiddlewareTranslator } from './types';

export const translateDigestAuth: MiddlewareTranslator = (mw) => ({
  issues: [{ severity: 'error', field: fieldOf(mw), message: 'DigestAuth has no Envoy equivalent (Envoy has no digest authentication filter); the route is left out rather than served without authentication' }],
});

export const translatePlugin: MiddlewareTranslator = (mw) => ({
  issues: [{ severity: 'error', field: fieldOf(mw), message: `Traefik plugins (${Object.keys(mw.config ?? {}).join(', ') || 'none named'}) run inside Traefik and cannot be translated to Envoy; the route is left out` }],
});

/**
 * ContentType: Traefik v3 does not sniff response types by default; the middleware's presence turns Go's
 * sniffing on for responses without Content-Type (pkg/middlewares/contenttype), unless the deprecated
 * autoDetect is false, which makes it a no-op. Envoy never sniffs.
 */
export const translateContentType: MiddlewareTranslator = (mw) => mw.config?.autoDetect === false
  ? { issues: [{ severity: 'info', field: fieldOf(mw, 'autoDetect'), message: 'autoDetect: false makes this middleware a no-op in Traefik, as in Envoy (which never sniffs)' }] }
  : { issues: [{ severity: 'warning', field: fieldOf(mw), message: 'approximated: this middleware makes Traefik guess the Content-Type of responses that have none (Go content sniffing); Envoy never sniffs, so such responses stay without Content-Type' }] };

/** A middleware type whose translation is not built yet. */
export function notYet(type: string): MiddlewareTranslator {
  return (mw) => ({
    issues: [{ severity: 'error', field: fieldOf(mw), message: `${type} middlewares are not translated by this version of traefik-xds; the route is left out rather than served without it` }],
  });
}
