// The last line of defence for secret key material in outputs: logs and the admin API pass every string
// through scrubText, which replaces PEM private keys (also truncated ones, and the base64 of a PEM key as a
// Kubernetes Secret's data holds it) with "[redacted]". Dumps additionally redact SDS secrets
// structurally (cli/output.ts redactSecrets).
import type { Logger } from '../xds/stream-context';

export const REDACTED = '[redacted]';

// A PEM private key block (PKCS#1, PKCS#8, EC, encrypted, OpenSSH), or its beginning up to the end of the text.
const PEM_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
// base64("-----BEGIN") = "LS0tLS1CRUdJTi"; such a run is decoded and redacted when it holds a private key.
const B64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/=\\n\s]*/g;

export function scrubText(s: string): string {
  if (s.length < 20) return s;
  let out = s;
  if (out.includes('PRIVATE KEY')) out = out.replace(PEM_KEY, REDACTED);
  if (out.includes('LS0tLS1CRUdJTi')) {
    out = out.replace(B64_PEM, (m) => {
      const decoded = Buffer.from(m.replace(/\\n|\s/g, ''), 'base64').toString('latin1');
      return /PRIVATE KEY/.test(decoded) ? REDACTED : m;
    });
  }
  return out;
}

/** A deep copy with every string scrubbed (object keys too, in case a map is keyed by content). */
export function scrubDeep<T>(v: T, depth = 0): T {
  if (typeof v === 'string') return scrubText(v) as unknown as T;
  if (depth > 64 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => scrubDeep(x, depth + 1)) as unknown as T;
  if (v instanceof Error) return scrubText(v.stack ?? v.message) as unknown as T;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `[${(v as Uint8Array).length} bytes]` as unknown as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[scrubText(k)] = scrubDeep(x, depth + 1);
  return out as T;
}

const WRAPPED = Symbol('redacting');

/** A logger that scrubs the message and every field before handing them on. Wrapping twice is a no-op. */
export function redactingLogger(log: Logger): Logger {
  if ((log as unknown as Record<symbol, boolean>)[WRAPPED]) return log;
  const wrap = (f: (m: string, x?: Record<string, unknown>) => void) => (m: string, x?: Record<string, unknown>) =>
    f(scrubText(m), x === undefined ? undefined : scrubDeep(x));
  const out: Logger = { debug: wrap(log.debug.bind(log)), info: wrap(log.info.bind(log)), warn: wrap(log.warn.bind(log)), error: wrap(log.error.bind(log)) };
  Object.defineProperty(out, WRAPPED, { value: true });
  return out;
}
