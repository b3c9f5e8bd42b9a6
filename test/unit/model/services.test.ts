import * as assert from 'node:assert/strict';
import { findServicePort, serviceScheme, ServiceError } from '../../../src/model/services';
import type { ServiceObj } from '../../../src/model/crds/types';

function svc(spec: ServiceObj['spec']): ServiceObj {
  return { group: 'core', version: 'v1', kind: 'Service', namespace: 'default', name: 's', labels: {}, annotations: {}, spec, raw: {} as any };
}

describe('model/services (traefik-semantics.md §6)', () => {
  const s = svc({ ports: [{ name: 'http', port: 80 }, { name: 'https-admin', port: 9443 }, { port: 443, name: 'websecure' }] });

  it('finds the Service port by number or by name, never by targetPort', () => {
    assert.equal(findServicePort(s, 80).name, 'http');
    assert.equal(findServicePort(s, 'https-admin').port, 9443);
    assert.throws(() => findServicePort(s, 8080), ServiceError);
    assert.throws(() => findServicePort(s, 'grpc'), /no port named "grpc"/);
  });

  it('refuses an empty port', () => {
    assert.throws(() => findServicePort(s, undefined), /port not defined/);
    assert.throws(() => findServicePort(s, 0), /port not defined/);
  });

  it('synthesises the port of an ExternalName service given by number only', () => {
    const ext = svc({ type: 'ExternalName', externalName: 'x.example', ports: [] });
    assert.equal(findServicePort(ext, 8443).port, 8443);
    assert.throws(() => findServicePort(ext, 'http'));
  });

  it('detects the scheme from port 443 or a port name starting with https', () => {
    assert.equal(serviceScheme(undefined, { port: 443 }), 'https');
    assert.equal(serviceScheme(undefined, { port: 8443, name: 'httpsfoo' }), 'https');
    assert.equal(serviceScheme(undefined, { port: 8443, name: 'web-https' }), 'http');
    assert.equal(serviceScheme('h2c', { port: 443 }), 'h2c');
    assert.throws(() => serviceScheme('ftp', { port: 80 }), /invalid scheme/);
  });
});
