// The check every test producing Envoy resources runs: what Envoy would accept, and nothing lost
// on the wire.

import { isDeepStrictEqual } from 'node:util';
import { ConsistencyOptions, checkConsistency } from '../../src/envoy/consistency';
import { canonicalize, decodeResource, encodeResource } from '../../src/envoy/json';
import { EnvoyResources, RESOURCE_TYPE_NAMES, ResourceKind, resourceName } from '../../src/envoy/resources';
import { validateResource } from '../../src/envoy/validate';

/** Every problem of a resource set (empty when valid). */
export function envoyProblems(r: EnvoyResources, opts?: ConsistencyOptions): string[] {
  const problems: string[] = [];
  for (const kind of Object.keys(RESOURCE_TYPE_NAMES) as ResourceKind[]) {
    const typeName = RESOURCE_TYPE_NAMES[kind];
    (r[kind] ?? []).forEach((res: object, i: number) => {
      const where = `${kind}[${JSON.stringify(resourceName(kind, res) || i)}]`;
      const errs = validateResource(typeName, res);
      for (const e of errs) problems.push(`${where}${e.path ? '.' + e.path : ''}: ${e.message}`);
      if (errs.length) return;
      try {
        // Round trip: JSON → bytes → JSON is the canonical form, and re-encodes to the same bytes
        // (so no field was dropped or unknown on the way).
        const canonical = canonicalize(typeName, res);
        const bytes = encodeResource(typeName, res);
        const decoded = decodeResource(typeName, bytes);
        if (!isDeepStrictEqual(decoded, canonical)) {
          problems.push(`${where}: does not round-trip through protobuf:\n    canonical ${JSON.stringify(canonical)}\n    decoded   ${JSON.stringify(decoded)}`);
        } else if (!Buffer.from(encodeResource(typeName, decoded)).equals(Buffer.from(bytes))) {
          problems.push(`${where}: re-encoding the decoded resource gives different bytes`);
        }
      } catch (e) {
        problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }
  for (const p of checkConsistency(r, opts)) problems.push(p);
  return problems;
}

/** Throws, listing every problem, unless the resources are valid, round-trip and are consistent. */
export function assertValidEnvoy(r: EnvoyResources, opts?: ConsistencyOptions): void {
  const problems = envoyProblems(r, opts);
  if (problems.length) {
    throw new Error(`invalid Envoy resources (${problems.length} problem(s)):\n  ${problems.join('\n  ')}`);
  }
}
