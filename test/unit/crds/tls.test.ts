import assert from 'node:assert/strict';
import type { TLSOptionObj, TLSStoreObj } from '../../../src/model/crds/types';
import { expectClean, expectDiag, manifest, parseYaml } from './helpers';

describe('crds/TLSOption', () => {
  it('accepts a full example with every field', () => {
    const obj = expectClean(
      manifest(
        'TLSOption',
        `minVersion: VersionTLS12
maxVersion: VersionTLS13
curvePreferences: [CurveP521, CurveP384]
cipherSuites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_RSA_WITH_AES_256_GCM_SHA384]
clientAuth:
  secretNames: [secret-ca1, secret-ca2]
  clientAuthType: VerifyClientCertIfGiven
sniStrict: true
alpnProtocols: [h2, http/1.1]
disableSessionTickets: true`,
        { name: 'mytlsoption' },
      ),
    ) as TLSOptionObj;
    assert.equal(obj.spec.clientAuth?.clientAuthType, 'VerifyClientCertIfGiven');
  });

  it('accepts an empty spec and traefik.containo.us', () => {
    expectClean(manifest('TLSOption', '{}', { name: 'default' }));
    const p = parseYaml(manifest('TLSOption', 'minVersion: VersionTLS12', { group: 'traefik.containo.us' }));
    assert.ok(p.obj);
  });

  it('warns on preferServerCipherSuites', () => {
    const p = parseYaml(manifest('TLSOption', 'preferServerCipherSuites: true'));
    assert.ok(p.obj);
    expectDiag(p, 'warning', 'spec.preferServerCipherSuites', /no effect/);
  });

  it('rejects a bad clientAuthType, unknown fields and wrong types', () => {
    const p = parseYaml(manifest('TLSOption', 'clientAuth: {clientAuthType: RequireAndVerifyClientCerts, secretName: [a]}\nsniStrict: 1\nalpnProtocol: [h2]'));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.clientAuth.clientAuthType', /did you mean "RequireAndVerifyClientCert"\?/);
    expectDiag(p, 'error', 'spec.clientAuth.secretName', /did you mean "secretNames"\?/);
    expectDiag(p, 'error', 'spec.sniStrict', /expected a boolean, got the integer 1/);
    expectDiag(p, 'error', 'spec.alpnProtocol', /did you mean "alpnProtocols"\?/);
  });

  it('requires a spec', () => {
    const p = parseYaml('apiVersion: traefik.io/v1alpha1\nkind: TLSOption\nmetadata: {name: x}\n');
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec', /missing required field "spec"/);
  });
});

describe('crds/TLSStore', () => {
  it('accepts a full example with every field', () => {
    const obj = expectClean(
      manifest(
        'TLSStore',
        `defaultCertificate:
  secretName: default-cert
defaultGeneratedCert:
  resolver: le
  domain:
    main: example.org
    sans: [foo.example.org, bar.example.org]
certificates:
- secretName: foo
- secretName: bar`,
        { name: 'default' },
      ),
    ) as TLSStoreObj;
    assert.equal(obj.spec.certificates?.length, 2);
  });

  it('accepts the seed v2 example', () => {
    const p = parseYaml(manifest('TLSStore', 'defaultCertificate:\n  secretName: my-secret', { group: 'traefik.containo.us', name: 'default' }));
    assert.ok(p.obj);
  });

  it('requires secretName in defaultCertificate and certificates', () => {
    const p = parseYaml(manifest('TLSStore', 'defaultCertificate: {secret: x}\ncertificates: [{}]', { name: 'default' }));
    assert.equal(p.obj, undefined);
    expectDiag(p, 'error', 'spec.defaultCertificate.secretName', /missing required field/);
    expectDiag(p, 'error', 'spec.defaultCertificate.secret', /did you mean "secretName"\?/);
    expectDiag(p, 'error', 'spec.certificates[0].secretName', /missing required field/);
  });
});
