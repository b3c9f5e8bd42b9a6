// The default IngressClass for Ingresses read from files (traefik-ingress.md §1.3 "Default class", §7).
// Traefik never reads `ingressclass.kubernetes.io/is-default-class`: in a cluster, the API server's
// DefaultIngressClass admission plugin writes the default class into new Ingresses that have neither
// spec.ingressClassName nor the `kubernetes.io/ingress.class` annotation. Manifests on disk never went through
// admission, so with `defaultIngressClass: auto` the provider gives them that class itself. Objects from the
// Kubernetes API (no file origin) were admitted already and are left alone.
import { ObjectIndex } from './object-index';
import type { IngressClassObj, IngressObj } from './crds/ingress';

export const IS_DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** What the admission plugin would do with a class-less Ingress, given the IngressClasses of the input. */
export type AdmissionDefault =
  | { kind: 'none' }
  /** Exactly one default class (of any controller, as the plugin does not look at controllers). */
  | { kind: 'one'; cls: IngressClassObj }
  /** Several: the API server refuses to create class-less Ingresses ("only 1 allowed"). */
  | { kind: 'several'; classes: IngressClassObj[] };

export function admissionDefault(index: ObjectIndex): AdmissionDefault {
  // The plugin compares the annotation with "true" exactly.
  const defaults = ObjectIndex.sorted(index.ingressClasses).filter((c) => c.annotations[IS_DEFAULT_CLASS_ANNOTATION] === 'true');
  if (defaults.length === 0) return { kind: 'none' };
  if (defaults.length === 1) return { kind: 'one', cls: defaults[0]! };
  return { kind: 'several', classes: defaults };
}

/** Whether the admission plugin would default this Ingress: read from a file, no class field, no class annotation. */
export function admissionWouldDefault(ing: IngressObj): boolean {
  return ing.raw.origin !== undefined && !ing.spec.ingressClassName && !(CLASS_ANNOTATION in ing.annotations);
}
