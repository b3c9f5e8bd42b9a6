// Which Ingresses the Ingress provider processes (traefik-ingress.md §1.2 namespaces/labelSelector, §1.3 class
// filter), as a silent predicate: the status computation (ingress-status.ts) needs the same set the router
// builder (ingress-routers.ts, which also explains each skip in a diagnostic) works on. The default-class
// emulation for manifests (ingress-default-class.ts) is not applied: statuses are written for objects from the
// API only, which went through the API server's admission.
import { ObjectIndex } from './object-index';
import { parseLabelSelector } from './labelselector';
import { TRAEFIK_INGRESS_CONTROLLER, type IngressObj } from './crds/ingress';
import type { KubernetesIngressProvider } from '../config/types';

type ClassOptions = Pick<KubernetesIngressProvider, 'ingressClass' | 'disableIngressClassLookup' | 'disableClusterScopeResources'>;

/** §1.3 step 1: names of the IngressClasses of Traefik's controller (only `ingressClass` when that option is set). */
export function traefikIngressClassNames(io: ClassOptions, index: ObjectIndex): Set<string> {
  const out = new Set<string>();
  if (io.disableIngressClassLookup || io.disableClusterScopeResources) return out;
  for (const c of ObjectIndex.sorted(index.ingressClasses)) {
    if (c.spec.controller !== TRAEFIK_INGRESS_CONTROLLER) continue;
    if (io.ingressClass && c.name !== io.ingressClass) continue;
    out.add(c.name);
  }
  return out;
}

/**
 * §1.3 steps 2-3: `spec.ingressClassName` must name one of `classes`; else the annotation decides. `className`
 * overrides the field (the default-class emulation of ingress-default-class.ts gives one to file Ingresses).
 */
export function ingressClassAccepted(io: ClassOptions, ing: IngressObj, classes: Set<string>, className = ing.spec.ingressClassName): boolean {
  const cn = className;
  if (cn) return classes.has(cn);
  const a = ing.annotations['kubernetes.io/ingress.class'] ?? '';
  return a === io.ingressClass || (io.ingressClass === '' && a === 'traefik');
}

/** The Ingresses the provider processes: in its namespaces, matching its label selector and its class filter. */
export function processedIngresses(io: KubernetesIngressProvider, index: ObjectIndex): IngressObj[] {
  let selector: (labels: Record<string, string>) => boolean = () => true;
  if (io.labelSelector) {
    const s = parseLabelSelector(io.labelSelector);
    if (typeof s === 'function') selector = s;
  }
  const classes = traefikIngressClassNames(io, index);
  return ObjectIndex.sorted(index.ingresses).filter((ing) =>
    (!io.namespaces.length || io.namespaces.includes(ing.namespace)) && selector(ing.labels) && ingressClassAccepted(io, ing, classes));
}
