// The traefik-xds command line. Exit codes: 0 no error diagnostic, 1 error diagnostics, 2 usage or I/O error.
import { Command, CommanderError, Option } from 'commander';
import { runTranslate } from './translate';
import { runValidate } from './validate';
import { runServe } from './serve';
import { runDumpCommand } from './dump';
import { runBootstrap } from './bootstrap';
import { runCerts } from './certs';
import { EXIT_USAGE, UsageError } from './common';

const collect = (v: string, prev: string[]) => [...prev, v];

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let code = 0;
  const program = new Command('traefik-xds')
    .description('Serve Traefik custom resources to Envoy over xDS')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });

  program
    .command('translate')
    .description('print the Envoy resources (listeners, routes, clusters, endpoints, secrets) and diagnostics for manifests')
    .argument('[paths...]', 'manifest files or directories (default: providers.manifests of --config)')
    .option('-c, --config <file>', 'static configuration file')
    .option('-e, --entrypoint <name=addr>', 'add or override an entry point, e.g. web=:8080 (repeatable)', collect, [])
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--show-secrets', 'print private keys instead of "[redacted]"', false)
    .action((paths: string[], o) => {
      code = runTranslate({ paths, config: o.config, entrypoint: o.entrypoint, output: o.output, showSecrets: o.showSecrets }, out);
    });

  program
    .command('validate')
    .description('check manifests and print diagnostics, one a line (file:line:col: severity: Kind ns/name: field: message)')
    .argument('[paths...]', 'manifest files or directories (default: providers.manifests of --config)')
    .option('-c, --config <file>', 'static configuration file')
    .option('-e, --entrypoint <name=addr>', 'add or override an entry point (repeatable)', collect, [])
    .action((paths: string[], o) => {
      code = runValidate({ paths, config: o.config, entrypoint: o.entrypoint }, out);
    });

  program
    .command('serve')
    .description('watch manifests and serve them to Envoy fleets over xDS (ADS, state of the world and delta)')
    .argument('[paths...]', 'manifest files or directories (default: providers.manifests of --config)')
    .option('-c, --config <file>', 'static configuration file')
    .option('-e, --entrypoint <name=addr>', 'add or override an entry point (repeatable)', collect, [])
    .option('--address <host:port>', 'xDS listen address (overrides xds.address)')
    .action(async (paths: string[], o) => {
      code = await runServe({ paths, config: o.config, entrypoint: o.entrypoint, address: o.address }, out);
    });

  program
    .command('dump')
    .description('the gRPC debug client: subscribe over ADS like an Envoy (wildcard LDS and CDS, then the RDS, EDS and SDS names they reference), ACK, and print what the server sends in the form `translate` prints')
    .requiredOption('--server <host:port>', 'the xDS server (IPv6 as [addr]:port)')
    .requiredOption('--node-id <id>', 'node.id to announce')
    .requiredOption('--node-cluster <cluster>', 'node.cluster to announce (fleets match on it)')
    .option('--type <types>', 'comma-separated types to print: lds,rds,cds,eds,sds (what they depend on is subscribed too)', 'lds,rds,cds,eds,sds')
    .option('--delta', 'incremental xDS (DeltaAggregatedResources) instead of state of the world', false)
    .option('--watch', 'keep running and print every update as {type, version, changed, removed, resources} until interrupted', false)
    .addOption(new Option('-o, --output <format>', 'output format (--watch: YAML documents separated by ---, or one JSON object a line)').choices(['yaml', 'json']).default('yaml'))
    .option('--timeout <seconds>', 'give up (exit 1, printing what was received) when not everything has arrived in time; with --watch: when nothing arrives in time', '10')
    .option('--show-secrets', 'print private keys instead of "[redacted]"', false)
    .option('--metadata <key=value...>', 'node.metadata entries (repeatable)')
    .option('--user-agent <name>', 'node.user_agent_name: "envoy" gets the Envoy profile, a gRPC library name ("gRPC Go") the grpc profile', 'envoy')
    .option('--tls-ca <file>', 'TLS to the server: the CA that signed its certificate')
    .option('--tls-cert <file>', 'mTLS: the node\'s client certificate (with --tls-key)')
    .option('--tls-key <file>', 'mTLS: the node\'s client key')
    .option('--tls-server-name <name>', 'the name the server certificate must carry (default: the --server host)')
    .action(async (o) => {
      code = await runDumpCommand({
        server: o.server, nodeId: o.nodeId, nodeCluster: o.nodeCluster, type: o.type, delta: o.delta, watch: o.watch, output: o.output,
        timeout: o.timeout, showSecrets: o.showSecrets, metadata: o.metadata, userAgent: o.userAgent,
        tlsCa: o.tlsCa, tlsCert: o.tlsCert, tlsKey: o.tlsKey, tlsServerName: o.tlsServerName,
      }, out, err);
    });

  program
    .command('bootstrap')
    .description('print an Envoy bootstrap that takes its whole configuration from the server over ADS')
    .requiredOption('--server <host:port>', 'the xDS server as Envoy reaches it (an IP gives a STATIC cluster, a name STRICT_DNS)')
    .requiredOption('--node-id <id>', 'node.id')
    .requiredOption('--node-cluster <cluster>', 'node.cluster (fleets match on it)')
    .option('--ads', 'state-of-the-world ADS (the default)')
    .option('--no-ads', 'per-type config sources: refused, translated resources point at ADS')
    .option('--delta', 'incremental xDS over ADS (DELTA_GRPC)', false)
    .option('--admin-port <port>', 'port of Envoy\'s admin interface', '9901')
    .option('--admin-address <ip>', 'address of Envoy\'s admin interface (keep it private: the admin API can reconfigure and stop Envoy)', '127.0.0.1')
    .option('--tls-ca <file>', 'TLS to the server: the CA that signed its certificate (path as Envoy sees it)')
    .option('--tls-cert <file>', 'mTLS: the node\'s client certificate (with --tls-key)')
    .option('--tls-key <file>', 'mTLS: the node\'s client key')
    .option('--tls-server-name <name>', 'the name the server certificate must carry (SNI; default: the --server host)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((o) => {
      if (!o.tlsCa && (o.tlsCert || o.tlsKey || o.tlsServerName)) throw new UsageError('--tls-cert, --tls-key and --tls-server-name need --tls-ca');
      const tls = o.tlsCa ? { caFile: o.tlsCa, certFile: o.tlsCert, keyFile: o.tlsKey, serverName: o.tlsServerName } : undefined;
      const adminPort = /^\d+$/.test(o.adminPort) ? Number(o.adminPort) : NaN;
      if (Number.isNaN(adminPort)) throw new UsageError(`--admin-port ${JSON.stringify(o.adminPort)}: expected a port number`);
      code = runBootstrap({
        server: o.server, nodeId: o.nodeId, nodeCluster: o.nodeCluster, ads: o.ads, delta: o.delta,
        adminPort, adminAddress: o.adminAddress, output: o.output, tls,
      }, out);
    });

  program
    .command('certs')
    .description('make a CA, a server certificate and client certificates for a quick xDS mTLS setup (production: cert-manager or your PKI)')
    .requiredOption('--out <dir>', 'folder for ca.crt/ca.key, server.crt/server.key, client-NAME.crt/key (an existing CA there is reused)')
    .option('--server-name <name>', 'DNS name or IP the xDS server is reached at (repeatable; localhost, 127.0.0.1 and ::1 are always included)', collect, [])
    .option('--client <NAME[=SAN,...]>', 'a client certificate; SANs are DNS names, IPs or URIs such as SPIFFE IDs (default spiffe://traefik-xds/node/NAME) (repeatable)', collect, [])
    .option('--days <n>', 'validity of the server and client certificates', '365')
    .option('--force', 'overwrite existing files (and make a new CA)', false)
    .action((o) => {
      code = runCerts({ out: o.out, serverNames: o.serverName, clients: o.client, days: Number(o.days), force: o.force }, out);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0 through commander; everything else it refuses is a usage error.
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      err.write(`traefik-xds: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
