// RedirectRegex: Traefik matches the regex against `scheme://host[:port]/requestURI` and, when it matches and
// the result differs, redirects to regexp.ReplaceAllString(url, replacement) (302/307, or 301/308 when
// permanent, by method). Envoy's redirect has a fixed scheme and host and rewrites the path only. So the
// regex must decompose into `^scheme://host/path...`:
//   - the scheme part is decided per route configuration (plain or TLS);
//   - the host part becomes an `:authority` condition; the redirect host is fixed or the request's own;
//   - the path part becomes a `:path` condition and RedirectAction.regex_rewrite, with the query kept as
//     Traefik keeps it (the tail of the URL after the match) or dropped when Traefik's match consumes it.
// A redirect to the same URL is not made by Traefik (it forwards): the translation must prove when the
// target equals the request URL, or it refuses (a self-redirect would loop). Anything else is refused.
import { checkRe2, re2Matches } from '../../../model/rules';
import { atoms, captureCount, captureNames, literalPrefix, mayMatchChar, template, type Atom, type TemplatePart } from './regex-atoms';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';
import type { HeaderMatcher, RedirectAction } from '../../../envoy/types';

type Ref = { group: number };
type Piece = string | Ref;

/** Go's Expand syntax → literal text and group references (by global index). */
function parseReplacement(repl: string, names: string[]): Piece[] | { error: string } {
  const out: Piece[] = [];
  const lit = (s: string) => {
    const last = out[out.length - 1];
    if (typeof last === 'string') out[out.length - 1] = last + s;
    else out.push(s);
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '$') {
      lit(c);
      continue;
    }
    const rest = repl.slice(i + 1);
    if (rest.startsWith('$')) {
      lit('$');
      i++;
      continue;
    }
    const m = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest);
    if (!m) {
      lit('$');
      continue;
    }
    i += m[0].length;
    const ref = m[1]!;
    const n = /^\d+$/.test(ref) ? Number(ref) : names.indexOf(ref) + 1;
    // Go expands an unknown group to "" (e.g. `$1x` names the group "1x").
    if (n <= 0 || n > names.length) continue;
    out.push({ group: n });
  }
  return out;
}

/** Splits pieces at the first literal occurrence of `sep` (inside a literal piece). */
function splitAt(pieces: Piece[], sep: string): [Piece[], Piece[]] | undefined {
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (typeof p !== 'string') continue;
    const at = p.indexOf(sep);
    if (at < 0) continue;
    const before = [...pieces.slice(0, i), ...(at > 0 ? [p.slice(0, at)] : [])];
    const after = [...(p.length > at + sep.length ? [p.slice(at + sep.length)] : []), ...pieces.slice(i + 1)];
    return [before, after];
  }
  return undefined;
}

/** Splits the path pieces at the first '/' of a literal (host part before, path after with its '/'). */
function splitHost(pieces: Piece[]): [Piece[], Piece[]] {
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (typeof p !== 'string') continue;
    const at = p.indexOf('/');
    if (at < 0) continue;
    return [[...pieces.slice(0, i), ...(at > 0 ? [p.slice(0, at)] : [])], [p.slice(at), ...pieces.slice(i + 1)]];
  }
  return [pieces, []];
}

const text = (list: Atom[]) => list.map((a) => a.text).join('');

/** RE2 substitution text for a literal (a backslash starts a group reference there). */
const subLiteral = (s: string) => s.replace(/\\/g, '\\\\');

export const translateRedirectRegex: MiddlewareTranslator = (mw, ctx) => {
  const regex: string = mw.config.regex ?? '';
  const replacement: string = mw.config.replacement ?? '';
  const issues: MiddlewareIssue[] = [];
  const refuse = (field: string, message: string) => ({ issues: [...issues, { severity: 'error' as const, field: fieldOf(mw, field), message }] });
  if (!regex) return refuse('regex', 'regex is empty');
  const err = checkRe2(regex);
  if (err) return refuse('regex', `RE2 rejects the regex: ${err}`);

  const all = atoms(regex);
  if (!all) return refuse('regex', 'this regex syntax cannot be split into scheme, host and path for Envoy\'s redirect');
  if (all[0]?.kind !== 'start') {
    return refuse('regex', 'the regex is not anchored with ^: Traefik may match it anywhere in the URL, while Envoy\'s redirect can only rewrite the path');
  }
  if (all.some((a) => a.kind === 'alt' || a.kind === 'flags')) {
    return refuse('regex', 'a top-level alternation or flag group cannot be split into scheme, host and path for Envoy\'s redirect');
  }
  const body = all.slice(1);
  // scheme "://" (the slashes may be escaped).
  const sep = body.findIndex((a, i) => a.kind === 'lit' && a.ch === ':' && !a.quant
    && body[i + 1]?.kind === 'lit' && body[i + 1]!.ch === '/' && !body[i + 1]!.quant
    && body[i + 2]?.kind === 'lit' && body[i + 2]!.ch === '/' && !body[i + 2]!.quant);
  if (sep < 1) return refuse('regex', 'the regex does not start with a scheme and "://", so Envoy\'s redirect (fixed scheme and host, path rewrite) cannot reproduce it');
  const schemeAtoms = body.slice(0, sep);
  const rest = body.slice(sep + 3);
  const schemeRe = text(schemeAtoms);
  const gS = captureCount(schemeRe);
  const current = ctx.tls ? 'https' : 'http';
  let matchesCurrent: boolean;
  try {
    matchesCurrent = re2Matches(`^(?:${schemeRe})$`, current);
  } catch {
    return refuse('regex', 'the scheme part cannot be evaluated');
  }
  if (!matchesCurrent) {
    issues.push({ severity: 'info', field: fieldOf(mw, 'regex'), message: `never matches ${current.toUpperCase()} requests (Traefik uses ${current} for them): no redirect on this route configuration` });
    return { issues };
  }
  const schemeGroup = schemeAtoms.length === 1 && schemeAtoms[0]!.kind === 'group' && schemeAtoms[0]!.capturing && !schemeAtoms[0]!.quant ? 1 : undefined;

  const names = captureNames(regex);
  const repl = parseReplacement(replacement, names);
  if ('error' in repl) return refuse('replacement', repl.error);
  const rsplit = splitAt(repl, '://');
  if (!rsplit) return refuse('replacement', 'the replacement is not an absolute URL (scheme://host/path): Envoy\'s redirect cannot produce a relative target from the matched URL');
  const [rScheme, rAfter] = rsplit;
  let targetScheme: string;
  if (rScheme.length === 1 && typeof rScheme[0] === 'object' && schemeGroup !== undefined && rScheme[0].group === schemeGroup) targetScheme = current;
  else if (rScheme.length === 1 && typeof rScheme[0] === 'string' && /^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(rScheme[0])) targetScheme = rScheme[0].toLowerCase();
  else return refuse('replacement', 'the scheme of the redirect must be fixed or the request\'s own for Envoy');

  // "scheme://(.*)" → "other://$1": only the scheme changes.
  const whole = rest.length === 1 && rest[0]!.kind === 'group' && rest[0]!.capturing && !rest[0]!.quant && /^\.[*+]$/.test(rest[0]!.inner!);
  if (whole) {
    if (!(rAfter.length === 1 && typeof rAfter[0] === 'object' && rAfter[0].group === gS + 1)) {
      return refuse('replacement', 'with a regex that captures everything after "://" in one group, Envoy can only change the scheme (a replacement of the form scheme://$N)');
    }
    if (targetScheme === current) {
      issues.push({ severity: 'info', field: fieldOf(mw, 'regex'), message: `the target URL is the request URL on ${current.toUpperCase()} requests: Traefik forwards them, and so does Envoy` });
      return { issues };
    }
    issues.push({ severity: 'warning', field: fieldOf(mw, 'replacement'), message: 'approximated: when the Host header carries the default port of the old scheme explicitly (":80"), Envoy drops it from the redirect; Traefik keeps it' });
    // Every request of the route is redirected: the later middlewares never run.
    return { route: { redirect: { redirect: { scheme_redirect: targetScheme }, permanent: mw.config.permanent === true } }, issues };
  }

  // Host part: up to the first top-level "/" (or a group starting with "/").
  const slash = rest.findIndex((a) => (a.kind === 'lit' && a.ch === '/' && !a.quant) || (a.kind === 'group' && !a.quant && atoms(a.inner!)?.[0]?.kind === 'lit' && atoms(a.inner!)?.[0]?.ch === '/'));
  if (slash < 1) return refuse('regex', 'the regex has no host followed by a path ("scheme://host/..."), which Envoy\'s redirect needs');
  const hostAtoms = rest.slice(0, slash);
  const pathAtoms = rest.slice(slash);
  const hostRe = text(hostAtoms);
  const pathRe = text(pathAtoms);
  if (mayMatchChar(hostRe, '/')) return refuse('regex', 'the host part of the regex may match "/", so the host and path of the URL cannot be told apart');
  const gH = captureCount(hostRe);
  const hostTemplate = template(hostAtoms, gS + 1);
  const hostLiteral = hostTemplate && hostTemplate.length === 1 && typeof hostTemplate[0] === 'string' ? hostTemplate[0] : undefined;
  const hostGroup = hostAtoms.length === 1 && hostAtoms[0]!.kind === 'group' && hostAtoms[0]!.capturing && !hostAtoms[0]!.quant ? gS + 1 : undefined;
  const hostGroupLiteral = hostGroup !== undefined ? literalOf(hostAtoms[0]!.inner!) : undefined;

  // Replacement host (and optional port), then path.
  const [rHost, rPath] = splitHost(rAfter);
  let keepHost = false;
  let targetHost: string | undefined;
  if (rHost.length === 1 && typeof rHost[0] === 'object' && hostGroup !== undefined && rHost[0].group === hostGroup) keepHost = true;
  else if (rHost.every((p) => typeof p === 'string') && rHost.length === 1) targetHost = rHost[0] as string;
  else return refuse('replacement', 'the host of the redirect is built from parts of the request, while Envoy\'s redirect host is fixed (or the request\'s own)');
  let hostRedirect: { host: string; port?: number } | undefined;
  if (targetHost !== undefined) {
    const hm = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(targetHost);
    if (!hm || (hm[2] !== undefined && (Number(hm[2]) < 1 || Number(hm[2]) > 65535))) return refuse('replacement', `"${targetHost}" is not a host[:port] Envoy can redirect to`);
    hostRedirect = { host: hm[1]!, ...(hm[2] !== undefined ? { port: Number(hm[2]) } : {}) };
  }

  // Path: references to path groups are renumbered for the rewrite pattern; literal groups of the scheme
  // and host parts are substituted.
  const firstPathGroup = gS + gH + 1;
  const groupLiteral = (k: number): string | undefined => {
    if (k === hostGroup) return hostGroupLiteral;
    return undefined;
  };
  let sub = '';
  const qTemplate: TemplatePart[] = [];
  for (const p of rPath) {
    if (typeof p === 'string') {
      sub += subLiteral(p);
      const last = qTemplate[qTemplate.length - 1];
      if (typeof last === 'string') qTemplate[qTemplate.length - 1] = last + p;
      else qTemplate.push(p);
      continue;
    }
    if (p.group >= firstPathGroup) {
      const local = p.group - firstPathGroup + 1;
      if (local > 9) return refuse('replacement', `group ${p.group}: Envoy substitutions reach \\1 to \\9 only`);
      sub += `\\${local}`;
      qTemplate.push({ group: p.group });
    } else {
      const lit = groupLiteral(p.group);
      if (lit === undefined) return refuse('replacement', `the path of the redirect uses group ${p.group} of the scheme or host part, which Envoy's path rewrite cannot see`);
      sub += subLiteral(lit);
      qTemplate.push(lit);
    }
  }
  if (rPath.some((p) => typeof p === 'string' && p.includes('?'))) {
    return refuse('replacement', 'a query string in the replacement cannot be combined with Envoy\'s path rewrite (which keeps or drops the request\'s query as a whole)');
  }

  // How the path regex treats the query string (Traefik matches path and query together).
  const last = pathAtoms[pathAtoms.length - 1]!;
  const lastIsEnd = last.kind === 'end';
  const core = lastIsEnd ? pathAtoms.slice(0, -1) : pathAtoms;
  const tail = core[core.length - 1]!;
  const restGroup = tail.kind === 'group' && !tail.quant && /^\.[*+]$/.test(tail.inner!) ? tail : undefined;
  const restAny = tail.kind === 'any' && (tail.quant === '*' || tail.quant === '+');
  const prefixAtoms = restGroup || restAny ? core.slice(0, -1) : core;
  if (mayMatchChar(text(prefixAtoms), '?')) {
    return refuse('regex', 'the path part of the regex may match into the query string, which Envoy\'s path rewrite does not see');
  }
  let stripQuery = false;
  if (restGroup) {
    const g = firstPathGroup + captureCount(text(prefixAtoms));
    const lastRef = rPath[rPath.length - 1];
    const refs = rPath.filter((p) => typeof p === 'object' && p.group === g).length;
    if (refs === 0) stripQuery = true; // Traefik's match swallows the query, and the target drops it
    else if (!(refs === 1 && typeof lastRef === 'object' && lastRef.group === g)) {
      return refuse('replacement', 'the group that captures the rest of the URL (query included, in Traefik) must end the replacement for Envoy, which appends the query after the rewritten path');
    }
  } else if (restAny) stripQuery = true;
  // Otherwise (`$` included) the path regex cannot reach the query: Traefik keeps it after the target, as Envoy.

  // When is the target the request URL (Traefik then forwards)?
  const schemeChanges = targetScheme !== current;
  const pTemplate = template(pathAtoms, firstPathGroup);
  const samePath = pTemplate !== undefined && JSON.stringify(pTemplate) === JSON.stringify(qTemplate) && !stripQuery;
  const pPrefix = literalPrefix(pathAtoms);
  const qPrefix = typeof qTemplate[0] === 'string' ? qTemplate[0] : '';
  const n = Math.min(pPrefix.length, qPrefix.length);
  // The new path starts with the replacement's literal prefix, the old one with the regex's: incompatible
  // prefixes always differ. A fully literal target after a match that swallows the rest is the whole new URI.
  const qLiteral = qTemplate.every((p) => typeof p === 'string') ? qTemplate.join('') : undefined;
  // A fully literal path regex ending in $ matches one request URI only: a different literal target differs.
  const pLiteral = lastIsEnd && pTemplate?.every((p) => typeof p === 'string') ? pTemplate.join('') : undefined;
  const pathDiffers = pPrefix.slice(0, n) !== qPrefix.slice(0, n) || (rPath.length === 0 && pPrefix.length > 0)
    || (qLiteral !== undefined && stripQuery && !qLiteral.startsWith(pPrefix))
    || (pLiteral !== undefined && qLiteral !== undefined && pLiteral !== qLiteral);
  let hostDiffers: 'always' | 'never' | 'maybe';
  const requestHostLiteral = hostLiteral ?? hostGroupLiteral;
  if (keepHost) hostDiffers = 'never';
  else if (requestHostLiteral !== undefined) {
    const target = `${hostRedirect!.host}${hostRedirect!.port !== undefined ? `:${hostRedirect!.port}` : ''}`;
    hostDiffers = target === requestHostLiteral ? 'never' : 'always';
  } else hostDiffers = 'maybe';

  const when: HeaderMatcher[] = [{ name: ':authority', string_match: { safe_regex: { regex: hostRe } } }];
  when.push({ name: ':path', string_match: { safe_regex: { regex: `(?:${pathRe})(?s:.*)` } } });
  if (!schemeChanges && !pathDiffers && hostDiffers !== 'always') {
    if (!samePath) {
      return refuse('replacement', 'traefik-xds cannot tell for which URLs the target equals the request URL (Traefik then forwards instead of redirecting): a redirect to itself would loop');
    }
    if (hostDiffers === 'never') {
      issues.push({ severity: 'info', field: fieldOf(mw, 'regex'), message: `the target URL is the request URL on ${current.toUpperCase()} requests: Traefik forwards them, and so does Envoy` });
      return { issues };
    }
    // Only the host may change: redirect only when it does.
    const target = `${hostRedirect!.host}${hostRedirect!.port !== undefined ? `:${hostRedirect!.port}` : ''}`;
    when.push({ name: ':authority', string_match: { exact: target }, invert_match: true });
  }

  const redirect: Omit<RedirectAction, 'response_code'> = {};
  if (schemeChanges) redirect.scheme_redirect = targetScheme;
  if (hostRedirect) {
    redirect.host_redirect = hostRedirect.host;
    if (hostRedirect.port !== undefined) redirect.port_redirect = hostRedirect.port;
  }
  if (!samePath || stripQuery) {
    redirect.regex_rewrite = { pattern: { regex: `^${pathRe}` }, substitution: sub };
  }
  if (stripQuery) redirect.strip_query = true;
  if (keepHost && schemeChanges) {
    issues.push({ severity: 'warning', field: fieldOf(mw, 'replacement'), message: 'approximated: when the Host header carries the default port of the old scheme explicitly (":80"), Envoy drops it from the redirect; Traefik keeps it' });
  }
  if (!redirect.scheme_redirect && !redirect.host_redirect && !redirect.regex_rewrite) {
    // Cannot happen (a no-op was returned above), but never emit a redirect to the same URL.
    return { issues };
  }
  return { route: { redirect: { redirect, permanent: mw.config.permanent === true, when } }, issues };
};

/** The literal a group body stands for, when it has no regex syntax. */
function literalOf(inner: string): string | undefined {
  const list = atoms(inner);
  if (!list || list.some((a) => a.kind !== 'lit' || a.quant)) return undefined;
  return list.map((a) => a.ch).join('');
}

