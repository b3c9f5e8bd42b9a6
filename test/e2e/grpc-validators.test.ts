// Every golden case's input, translated with the `grpc` profile, must pass grpc-js-xds 1.14's own resource
// validators (the code that decides ACK or NACK in the client), besides Envoy's protos. Running all the cases,
// not only the grpc-profile ones, catches any Envoy-form feature the profile lets through unchanged.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseManifestText } from '../../src/sources/manifests';
import { loadStaticConfig } from '../../src/config/load';
import { runPipeline } from '../../src/pipeline';
import { encodeResource } from '../../src/envoy/json';
import { RESOURCE_TYPE_NAMES, resourceName, type EnvoyResources, type ResourceKind } from '../../src/envoy/resources';
import { assertValidEnvoy } from '../helpers/envoy-check';
import { registerXds } from './helpers';

interface DecodeResult {
  name: string;
  error?: string;
}
interface GrpcResourceType {
  decode(context: unknown, resource: { type_url: string; value: Buffer }): DecodeResult;
}

const RESOURCE_TYPES = '@grpc/grpc-js-xds/build/src/xds-resource-type';
function resourceType(file: string, cls: string): GrpcResourceType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`${RESOURCE_TYPES}/${file}`)[cls] as { get(): GrpcResourceType }).get();
}

const CASES = path.join(__dirname, '..', 'golden', 'cases');

/** What grpc-js-xds says about each resource: its NACK reasons (empty when it would ACK). */
function grpcJsErrors(r: EnvoyResources): string[] {
  registerXds(); // registers the router filter the Listener validator looks up
  const types: Partial<Record<ResourceKind, GrpcResourceType>> = {
    listeners: resourceType('listener-resource-type', 'ListenerResourceType'),
    routes: resourceType('route-config-resource-type', 'RouteConfigurationResourceType'),
    clusters: resourceType('cluster-resource-type', 'ClusterResourceType'),
    endpoints: resourceType('endpoint-resource-type', 'EndpointResourceType'),
  };
  const context = { bootstrap: { certificateProviders: {} }, server: undefined };
  const out: string[] = [];
  for (const [kind, t] of Object.entries(types) as [ResourceKind, GrpcResourceType][]) {
    const typeName = RESOURCE_TYPE_NAMES[kind];
    for (const res of r[kind] as object[]) {
      const value = Buffer.from(encodeResource(typeName, res));
      const d = t.decode(context, { type_url: `type.googleapis.com/${typeName}`, value });
      if (d.error) out.push(`${kind}[${resourceName(kind, res)}]: ${d.error}`);
    }
  }
  return out;
}

describe('grpc profile: every golden case passes grpc-js-xds validators', () => {
  const names = fs.readdirSync(CASES).filter((n) => fs.statSync(path.join(CASES, n)).isDirectory()).sort();
  it('has cases', () => assert.ok(names.length > 0));
  for (const name of names) {
    it(name, () => {
      const dir = path.join(CASES, name);
      const configFile = path.join(dir, 'config.yaml');
      const { config } = fs.existsSync(configFile)
        ? loadStaticConfig({ text: fs.readFileSync(configFile, 'utf8'), file: 'config.yaml' })
        : loadStaticConfig({});
      const snapshot = parseManifestText(fs.readFileSync(path.join(dir, 'input.yaml'), 'utf8'), 'input.yaml');
      const { resources } = runPipeline(snapshot, config, 'grpc');
      assertValidEnvoy(resources);
      assert.deepEqual(grpcJsErrors(resources), []);
      assert.deepEqual(resources.secrets, [], 'no SDS secrets for gRPC clients');
      for (const l of resources.listeners) {
        assert.ok(l.api_listener && !l.filter_chains?.length && !l.listener_filters?.length, `listener ${l.name} is an api_listener only`);
        assert.ok(l.name && !l.name.includes('*'), `listener ${l.name} is named by an exact host`);
      }
      for (const rc of resources.routes) assert.ok(!rc.name?.includes('/https/'), `no TLS route configuration (${rc.name})`);
    });
  }

  it('the validators do reject what the profile removes (a redirect route, an unset locality)', () => {
    const routes = [{
      name: 'r',
      virtual_hosts: [{ name: 'h', domains: ['h'], routes: [{ match: { prefix: '/' }, redirect: { scheme_redirect: 'https' } }] }],
    }];
    const endpoints = [{ cluster_name: 'c', endpoints: [{ lb_endpoints: [] }] }];
    const errs = grpcJsErrors({ listeners: [], routes, clusters: [], endpoints, secrets: [] } as unknown as EnvoyResources);
    assert.equal(errs.length, 2, errs.join('\n'));
    assert.match(errs[0], /unsupported action: redirect/);
    assert.match(errs[1], /locality unset/);
  });
});
