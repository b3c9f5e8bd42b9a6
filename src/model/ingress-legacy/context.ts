// What the 1.7 annotation readers of one Ingress path share (traefik-ingress.md §3.1): the §3.1 key lookup,
// 1.7's lenient bool, the synthesized middlewares, and the refusal that drops the path.
import type { HttpBuildContext } from '../http-routers';
import type { DiagnosticSubject } from '../diagnostics';
import type { IngressBackend, IngressObj } from '../crds/ingress';
import type { MiddlewareType } from '../crds/types';
import type { ResolvedMiddleware } from '../middlewares';
import type { ModelOptions } from '../options';
import type { KubernetesIngressProvider } from '../../config/types';

export interface Annotation {
  key: string;
  value: string;
}

/** A 1.7 backend (§3.3 error-pages): the first Ingress path (or default backend) that the name stands for. */
export interface LegacyBackendRef {
  ing: IngressObj;
  backend: IngressBackend;
}

/** The build context as the Ingress provider gives it, with what legacy mode adds. */
export interface LegacyContext extends HttpBuildContext {
  /** Model options with the Ingress provider's service options (ingress-routers.ts). */
  svcOpts?: ModelOptions;
  /** 1.7 backend names of every processed Ingress → what serves them (legacy mode only). */
  legacyBackends?: Map<string, LegacyBackendRef>;
}

export interface LegacyPath {
  ctx: LegacyContext;
  ing: IngressObj;
  subject: DiagnosticSubject;
  host: string;
  path: string;
  io: KubernetesIngressProvider;
  /** §3.1 lookup (both prefixes, then the compatibility label). */
  get(name: string): Annotation | undefined;
  /** The same lookup on another Ingress. */
  getOf(ing: IngressObj, name: string): Annotation | undefined;
  /** 1.7's lenient bool: an unparsable value falls back to the default (reported). */
  bool(a: Annotation | undefined, dflt: boolean): boolean;
  /** `metadata.annotations["<key>"]`. */
  field(key: string): string;
  /** A synthesized middleware of this path. */
  mw(type: MiddlewareType, config: unknown, data?: ResolvedMiddleware['data']): ResolvedMiddleware;
  /** Refuses the path (LegacyError): the diagnostic names the annotation. */
  fail(message: string, key: string): never;
}
