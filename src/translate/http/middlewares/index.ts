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
import { translateContentType, translateDigestAuth, translatePlugin } from './refused';
import { translateRateLimit } from './rate-limit';
import { translateInFlightReq } from './in-flight-req';
import { translateBuffering } from './buffering';
import { translateCircuitBreaker } from './circuit-breaker';
import { translateCompress } from './compress';
import { translateGrpcWeb } from './grpc-web';
import { translateEncodedCharacters } from './encoded-characters';
import { translatePassTLSClientCert } from './pass-tls-client-cert';
import { translateForwardAuth } from './forward-auth';
import { translateErrors } from './errors';
import { translateRedirectRegex } from './redirect-regex';
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
  encodedCharacters: translateEncodedCharacters,
  errors: translateErrors,
  rateLimit: translateRateLimit,
  redirectRegex: translateRedirectRegex,
  forwardAuth: translateForwardAuth,
  inFlightReq: translateInFlightReq,
  buffering: translateBuffering,
  circuitBreaker: translateCircuitBreaker,
  compress: translateCompress,
  passTLSClientCert: translatePassTLSClientCert,
  grpcWeb: translateGrpcWeb,
};
