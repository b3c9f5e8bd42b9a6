// Which Ingresses the provider processes (traefik-ingress.md §1.3): every row of the class table with both
// values of the ingressClass option, the disabled lookups, and our defaultIngressClass emulation (§7).
import * as assert from 'node:assert/strict';
import { loadStaticConfig } from '../../../src/config/load';
import { parseManifestText } from '../../../src/sources/manifests';
import { runPipeline } from '../../../src/pipeline';
import type { RawObject } from '../../../src/sources/types';
import { apiBackendYaml } from '../../helpers/ingress-backend';

const BACKEND = apiBackendYaml();

function ingressClass(name: string, controller: string, isDefault?: string): string {
  const ann = isDefault !== undefined ? `\n  annotations: {ingressclass.kubernetes.io/is-default-class: "${isDefault}"}` : '';
  return `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ${name}${ann}
spec: {controller: ${controller}}
`;
}

/** An Ingress named `name`, with an optional class field and class annotation. */
function ingress(name: string, cls: { className?: string; annotation?: string } = {}): string {
  const ann = cls.annotation !== undefined ? `\n  annotations: {kubernetes.io/ingress.class: "${cls.annotation}"}` : '';
  const cn = cls.className !== undefined ? `\n  ingressClassName: ${cls.className}` : '';
  return `
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: default${ann}
spec:${cn}
  rules:
    - host: ${name}.example.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
`;
}

interface Run {
  /** Names of the Ingresses that produced a router. */
  served: Set<string>;
  diagnostics: { severity: string; kind: string; name?: string; field?: string; message: string }[];
}

function run(manifests: string, ingressOptions: string, opts: { fromApi?: boolean } = {}): Run {
  const { config, diagnostics } = loadStaticConfig({ text: `providers:\n  kubernetesIngress: ${ingressOptions}\n`, file: 'config.yaml' });
  assert.ok(!diagnostics.hasErrors(), JSON.stringify(diagnostics.items));
  const snapshot = parseManifestText(manifests + BACKEND, 'in.yaml');
  if (opts.fromApi) {
    // Objects from the Kubernetes API carry no file position.
    snapshot.objects = snapshot.objects.map((o): RawObject => {
      const { origin: _origin, locate: _locate, ...rest } = o;
      return rest;
    });
  }
  const result = runPipeline(snapshot, config);
  return {
    served: new Set(result.model.httpRouters.filter((r) => r.provenance.kind === 'Ingress').map((r) => r.provenance.name)),
    diagnostics: result.diagnostics.items,
  };
}

const TRAEFIK = 'traefik.io/ingress-controller';

describe('ingress/class: the §1.3 table', () => {
  // [row, manifests, processed with ingressClass "", processed with ingressClass "internal"]
  const rows: [string, string, boolean, boolean][] = [
    ['no class at all', ingress('x'), true, false],
    ['annotation traefik', ingress('x', { annotation: 'traefik' }), true, false],
    ['annotation internal (no IngressClass object needed)', ingress('x', { annotation: 'internal' }), false, true],
    ['annotation "" (present, empty)', ingress('x', { annotation: '' }), true, false],
    ['ingressClassName traefik, IngressClass traefik of Traefik\'s controller', ingress('x', { className: 'traefik' }) + ingressClass('traefik', TRAEFIK), true, false],
    ['ingressClassName internal, IngressClass internal of Traefik\'s controller', ingress('x', { className: 'internal' }) + ingressClass('internal', TRAEFIK), true, true],
    ['ingressClassName traefik, no such IngressClass', ingress('x', { className: 'traefik' }), false, false],
    ['ingressClassName nginx (another controller)', ingress('x', { className: 'nginx' }) + ingressClass('nginx', 'k8s.io/ingress-nginx'), false, false],
    ['ingressClassName set: the annotation is not consulted', ingress('x', { className: 'nginx', annotation: 'traefik' }) + ingressClass('nginx', 'k8s.io/ingress-nginx'), false, false],
  ];
  for (const [row, manifests, withEmpty, withInternal] of rows) {
    it(row, () => {
      assert.equal(run(manifests, '{}').served.has('x'), withEmpty, 'ingressClass ""');
      assert.equal(run(manifests, '{ingressClass: internal}').served.has('x'), withInternal, 'ingressClass internal');
    });
  }

  it('ignores every Ingress with ingressClassName when the lookup is disabled (the annotation path still works)', () => {
    const m = ingress('x', { className: 'traefik' }) + ingressClass('traefik', TRAEFIK) + ingress('y', { annotation: 'traefik' });
    for (const opt of ['{disableIngressClassLookup: true}', '{disableClusterScopeResources: true}']) {
      const r = run(m, opt);
      assert.ok(!r.served.has('x'), opt);
      assert.ok(r.served.has('y'), opt);
      assert.ok(r.diagnostics.some((d) => d.name === 'x' && d.severity === 'warning' && /lookup is disabled/.test(d.message)), opt);
    }
  });

  it('says why an Ingress is ignored, with a warning only when the class name looks meant for Traefik', () => {
    const r = run(ingress('x', { className: 'traefik' }) + ingress('y', { className: 'other' }), '{}');
    assert.equal(r.diagnostics.find((d) => d.name === 'x' && d.field === 'spec.ingressClassName')?.severity, 'warning');
    assert.equal(r.diagnostics.find((d) => d.name === 'y' && d.field === 'spec.ingressClassName')?.severity, 'info');
  });
});

describe('ingress/class: defaultIngressClass (§7)', () => {
  const classless = ingress('x') + ingress('annotated', { annotation: '' }) + ingress('named', { className: 'internal' });

  it('defaults to auto, accepts none, and refuses other values', () => {
    const auto = loadStaticConfig({ text: 'providers:\n  kubernetesIngress: {}\n', file: 'c.yaml' });
    assert.equal(auto.config.providers.kubernetesIngress?.defaultIngressClass, 'auto');
    const none = loadStaticConfig({ text: 'providers:\n  kubernetesIngress: {defaultIngressClass: none}\n', file: 'c.yaml' });
    assert.equal(none.config.providers.kubernetesIngress?.defaultIngressClass, 'none');
    assert.ok(!none.diagnostics.hasErrors());
    const bad = loadStaticConfig({ text: 'providers:\n  kubernetesIngress: {defaultIngressClass: yes}\n', file: 'c.yaml' });
    assert.ok(bad.diagnostics.hasErrors());
    assert.match(bad.diagnostics.items.find((d) => d.severity === 'error')!.message, /must be one of auto, none/);
  });

  it('auto: gives a class-less file Ingress the one default class, as the admission plugin would', () => {
    const m = classless + ingressClass('internal', TRAEFIK, 'true');
    const r = run(m, '{ingressClass: internal}');
    assert.ok(r.served.has('x'), 'defaulted to internal → rule 2');
    assert.ok(r.served.has('named'));
    assert.ok(!r.served.has('annotated'), 'the class annotation (even empty) stops the admission plugin');
    assert.ok(r.diagnostics.some((d) => d.name === 'x' && d.severity === 'info' && /given the default IngressClass "internal"/.test(d.message)));
  });

  it('none: leaves file Ingresses class-less', () => {
    const r = run(classless + ingressClass('internal', TRAEFIK, 'true'), '{ingressClass: internal, defaultIngressClass: none}');
    assert.ok(!r.served.has('x'));
    assert.ok(r.served.has('named'));
  });

  it('never changes objects from the Kubernetes API (they went through admission already)', () => {
    const r = run(classless + ingressClass('internal', TRAEFIK, 'true'), '{ingressClass: internal}', { fromApi: true });
    assert.ok(!r.served.has('x'));
    assert.ok(!r.diagnostics.some((d) => /given the default IngressClass/.test(d.message)));
  });

  it('gives a default class of another controller too, which makes Traefik ignore the Ingress', () => {
    const m = ingress('x') + ingressClass('nginx', 'k8s.io/ingress-nginx', 'true');
    assert.ok(!run(m, '{}').served.has('x'));
    assert.ok(run(m, '{defaultIngressClass: none}').served.has('x'), 'class-less with ingressClass "": processed');
  });

  it('gives nothing when several classes are default (warning on each), or when the value is not exactly "true"', () => {
    const two = run(ingress('x') + ingressClass('internal', TRAEFIK, 'true') + ingressClass('nginx', 'k8s.io/ingress-nginx', 'true'), '{ingressClass: internal}');
    assert.ok(!two.served.has('x'));
    assert.deepEqual(two.diagnostics.filter((d) => d.kind === 'IngressClass' && d.severity === 'warning').map((d) => d.name).sort(), ['internal', 'nginx']);
    const notTrue = run(ingress('x') + ingressClass('internal', TRAEFIK, 'True'), '{ingressClass: internal}');
    assert.ok(!notTrue.served.has('x'));
    // No class-less Ingress: nothing to say about several defaults.
    const quiet = run(ingress('named', { className: 'internal' }) + ingressClass('internal', TRAEFIK, 'true') + ingressClass('nginx', 'k8s.io/ingress-nginx', 'true'), '{}');
    assert.ok(!quiet.diagnostics.some((d) => d.kind === 'IngressClass'));
  });
});
