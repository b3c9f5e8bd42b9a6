// The traefik-xds command line. Exit codes: 0 no error diagnostic, 1 error diagnostics, 2 usage or I/O error.
import { Command, CommanderError, Option } from 'commander';
import { runTranslate } from './translate';
import { runValidate } from './validate';
import { runServe } from './serve';
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
