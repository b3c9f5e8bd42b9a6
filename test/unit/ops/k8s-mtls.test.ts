// The k8s/mtls manifests stay consistent with the code: the static configuration loads cleanly with mTLS
// and without xds.insecure, the gateway bootstrap is exactly what `bootstrap --tls-*` prints, and the
// certificates cert-manager is asked for carry the SAN the fleet requires and the names Envoy dials.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadStaticConfig } from '../../../src/config/load';
import { runBootstrap } from '../../../src/cli/bootstrap';
import { globMatch } from '../../../src/config/glob';
import { transportDecision } from '../../../src/xds/tls';

const K8S = path.resolve(__dirname, '../../../k8s/mtls');

describe('ops: k8s/mtls manifests', () => {
  it('the static configuration requires mTLS, drops xds.insecure and pins the gateway fleet to a SAN', () => {
    const { config, diagnostics } = loadStaticConfig({ text: fs.readFileSync(path.join(K8S, 'traefik-xds.yaml'), 'utf8') });
    assert.deepEqual(diagnostics.items.filter((d) => d.severity !== 'info'), []);
    assert.equal(config.xds.insecure, false);
    assert.deepEqual(config.xds.tls, { certFile: '/etc/traefik-xds-tls/tls.crt', keyFile: '/etc/traefik-xds-tls/tls.key', clientCAFile: '/etc/traefik-xds-tls/ca.crt' });
    assert.equal(transportDecision(config.xds, config.xds.address.host).mode, 'mtls');
    const gw = config.fleets.find((f) => f.name === 'gateway')!;
    const certs = parseAllDocuments(fs.readFileSync(path.join(K8S, 'cert-manager/certificates.yaml'), 'utf8')).map((d) => d.toJS());
    const client = certs.find((c) => c.metadata.name === 'envoy-gateway-xds-tls');
    assert.ok(client.spec.uris.some((u: string) => globMatch(gw.clientCertificate!.san, u)), 'the gateway certificate satisfies its fleet');
    const server = certs.find((c) => c.metadata.name === 'traefik-xds-tls');
    assert.ok(server.spec.dnsNames.includes('traefik-xds.traefik-xds.svc.cluster.local'));
    assert.equal(server.spec.secretName, 'traefik-xds-tls');
  });

  it('the gateway bootstrap is what `traefik-xds bootstrap --tls-*` prints', () => {
    let out = '';
    runBootstrap({
      server: 'traefik-xds.traefik-xds.svc.cluster.local:18000', nodeId: 'envoy-gateway', nodeCluster: 'gateway', output: 'yaml',
      tls: { caFile: '/etc/envoy-tls/ca.crt', certFile: '/etc/envoy-tls/tls.crt', keyFile: '/etc/envoy-tls/tls.key' },
    }, { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream);
    assert.equal(fs.readFileSync(path.join(K8S, 'example/bootstrap.yaml'), 'utf8'), out);
  });
});
