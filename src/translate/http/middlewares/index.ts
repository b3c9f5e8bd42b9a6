// The middleware translators, one file each, by Middleware type.
import { translateAddPrefix } from './add-prefix';
import { translateStripPrefix } from './strip-prefix';
import { translateStripPrefixRegex } from './strip-prefix-regex';
import { translateReplacePath } from './replace-path';
import { translateReplacePathRegex } from './replace-path-regex';
import { translateIPAllowList } from './ip-allow-list';
import { translateBasicAuth } from './basic-auth';
import { translateHeaders } from './headers';
import { translateRedirectScheme } from './redirect-scheme';
import { translateRetry } from './retry';
import { notYet, translateContentType, translateDigestAuth, translatePlugin } from './refused';
import type { MiddlewareType } from '../../../model/crds/types';
import type { MiddlewareTranslator } from './types';

export const MIDDLEWARE_TRANSLATORS: Record<Exclude<MiddlewareType, 'chain'>, MiddlewareTranslator> = {
  addPrefix: translateAddPrefix,
  stripPrefix: translateStripPrefix,
  stripPrefixRegex: translateStripPrefixRegex,
  replacePath: translateReplacePath,
  replacePathRegex: translateReplacePathRegex,
  ipAllowList: translateIPAllowList,
  ipWhiteList: translateIPAllowList,
  headers: translateHeaders,
  redirectScheme: translateRedirectScheme,
  retry: translateRetry,
  basicAuth: translateBasicAuth,
  digestAuth: translateDigestAuth,
  plugin: translatePlugin,
  contentType: translateContentType,
  encodedCharacters: notYet('EncodedCharacters'),
  errors: notYet('Errors'),
  rateLimit: notYet('RateLimit'),
  redirectRegex: notYet('RedirectRegex'),
  forwardAuth: notYet('ForwardAuth'),
  inFlightReq: notYet('InFlightReq'),
  buffering: notYet('Buffering'),
  circuitBreaker: notYet('CircuitBreaker'),
  compress: notYet('Compress'),
  passTLSClientCert: notYet('PassTLSClientCert'),
  grpcWeb: notYet('GrpcWeb'),
};
