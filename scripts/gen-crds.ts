// Generates k8s/crds/<group>.yaml: CustomResourceDefinitions (apiextensions.k8s.io/v1) for every Traefik kind we
// read, in both API groups, from our own schemas (src/model/crds), so `kubectl apply -f k8s/crds/` prepares a
// cluster without Traefik, and the API server validates what users apply with the rules traefik-xds applies.
// Our `x-traefik-xds-*` keys (deprecations, duration and port hints) are ours alone and are left out.
//
//   node --import tsx scripts/gen-crds.ts          # writes k8s/crds/
//   node --import tsx scripts/gen-crds.ts --check  # exits 1 when the committed files are out of date
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { KIND_DEFINITIONS, KNOWN_KINDS, KNOWN_VERSIONS } from '../src/model/crds';
import type { Schema } from '../src/model/crds';

export const CRD_DIR = path.join(__dirname, '..', 'k8s', 'crds');
export const CRD_GROUPS = ['traefik.io', 'traefik.containo.us'] as const;

const HEADER = (group: string) =>
  `# CustomResourceDefinitions of ${group}/${KNOWN_VERSIONS[group as 'traefik.io']}, generated from traefik-xds's own schemas\n` +
  `# (src/model/crds) by scripts/gen-crds.ts. Do not edit: run \`node --import tsx scripts/gen-crds.ts\`.\n` +
  `# Apply them on a cluster without Traefik (a cluster with Traefik's own CRDs already has these kinds).\n`;

/** Our schema → an OpenAPI v3 structural schema as apiextensions.k8s.io/v1 accepts it. */
export function toStructural(s: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-traefik-xds-')) continue;
    switch (k) {
      case 'properties':
        out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, sub]) => [p, toStructural(sub)]));
        break;
      case 'items':
        out.items = toStructural(v as Schema);
        break;
      case 'anyOf':
        out.anyOf = (v as Schema[]).map((x) => toStructural(x));
        break;
      case 'additionalProperties':
        if (typeof v === 'object') out.additionalProperties = toStructural(v as Schema);
        else if (v === true) out['x-kubernetes-preserve-unknown-fields'] = true;
        break; // false: the default of a structural schema (unknown fields are pruned)
      default:
        out[k] = v;
    }
  }
  return out;
}

function crdOf(group: string, kind: string): Record<string, unknown> {
  const def = KIND_DEFINITIONS[kind];
  const version = KNOWN_VERSIONS[group as 'traefik.io'];
  const spec = toStructural(def.schema);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${group}`,
      labels: { 'app.kubernetes.io/name': 'traefik-xds', 'app.kubernetes.io/component': 'crd' },
    },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural: def.plural, singular: kind.toLowerCase() },
      scope: 'Namespaced',
      versions: [{
        name: version,
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: `${kind} (${group}/${version}), as read by traefik-xds.`,
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: spec,
            },
            required: ['metadata', 'spec'],
          },
        },
      }],
    },
  };
}

/** File name → content, for every API group. */
export function generateCrds(): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of CRD_GROUPS) {
    const docs = [...KNOWN_KINDS[group]].sort().map((k) => YAML.stringify(crdOf(group, k), { lineWidth: 0, aliasDuplicateObjects: false }));
    out.set(`${group}.yaml`, HEADER(group) + docs.map((d) => `---\n${d}`).join(''));
  }
  return out;
}

function main(): number {
  const check = process.argv.includes('--check');
  let stale = 0;
  fs.mkdirSync(CRD_DIR, { recursive: true });
  for (const [name, text] of generateCrds()) {
    const file = path.join(CRD_DIR, name);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    if (check) {
      process.stderr.write(`${path.relative(process.cwd(), file)} is out of date: run node --import tsx scripts/gen-crds.ts\n`);
      stale++;
    } else {
      fs.writeFileSync(file, text);
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
  }
  return stale ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
