// gorilla/mux route templates (`/users/{id:[0-9]+}`, `{sub}.example.com`), as used
// by Traefik's v2 rule syntax (github.com/containous/mux, regexp.go `newRouteRegexp`,
// and pkg/muxer/tcp/matcher_v2.go `preparePattern`).

import { checkRe2, quoteMeta } from './re2';

export interface TemplateOptions {
  /** Pattern of `{name}`: `[^/]+` for paths, `[^.]+` for hosts, `.*` for query values. */
  defaultPattern: string;
  /** Host templates are matched case-insensitively (`(?i)` prefix). */
  caseInsensitive: boolean;
  /** Prefix templates are not anchored at the end. */
  prefix: boolean;
  /** gorilla/mux also compiles each `^pattern$` on its own (TCP v2 `preparePattern` does not). */
  checkVariablePatterns: boolean;
  /** gorilla appends the default pattern to a query template whose value is empty. */
  appendDefaultPattern?: boolean;
}

export interface CompiledTemplate {
  /** Regexp with Go `MatchString` semantics, variables as non-capturing groups. */
  regex: string;
  /** Variable names in order. */
  variables: string[];
}

export class TemplateError extends Error {}

/** Offsets of the first-level `{...}` pairs: [start, end) for each. Mirrors gorilla's `braceIndices`. */
function braceIndices(s: string): number[] {
  let level = 0;
  let idx = 0;
  const idxs: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '{') {
      if (++level === 1) idx = i;
    } else if (s[i] === '}') {
      if (--level === 0) idxs.push(idx, i + 1);
      else if (level < 0) throw new TemplateError(`unbalanced braces in ${JSON.stringify(s)}`);
    }
  }
  if (level !== 0) throw new TemplateError(`unbalanced braces in ${JSON.stringify(s)}`);
  return idxs;
}

export function hasTemplateVariables(tpl: string): boolean {
  return tpl.includes('{') || tpl.includes('}');
}

/**
 * Turns a template into an anchored regexp exactly as gorilla/mux does. The only
 * change is that variables become `(?:...)` instead of `(?P<vN>...)` (same
 * language, and the regexps stay combinable without duplicate group names);
 * validation is done on gorilla's exact string.
 */
export function compileTemplate(tpl: string, opts: TemplateOptions): CompiledTemplate {
  const idxs = braceIndices(tpl);
  const variables: string[] = [];
  let gorilla = '';
  let ours = '';
  let end = 0;
  for (let i = 0; i < idxs.length; i += 2) {
    const raw = tpl.slice(end, idxs[i]);
    end = idxs[i + 1]!;
    const inner = tpl.slice(idxs[i]! + 1, end - 1);
    const colon = inner.indexOf(':');
    const name = colon < 0 ? inner : inner.slice(0, colon);
    const patt = colon < 0 ? opts.defaultPattern : inner.slice(colon + 1);
    if (name === '' || patt === '') {
      throw new TemplateError(`missing name or pattern in ${JSON.stringify(tpl.slice(idxs[i], end))}`);
    }
    gorilla += `${quoteMeta(raw)}(?P<v${i / 2}>${patt})`;
    ours += `${quoteMeta(raw)}(?:${patt})`;
    variables.push(name);
    if (opts.checkVariablePatterns) {
      const err = checkRe2(`^${patt}$`);
      if (err) throw new TemplateError(`invalid pattern ${JSON.stringify(patt)} for variable ${JSON.stringify(name)}: ${err}`);
    }
  }
  const raw = tpl.slice(end);
  let tail = quoteMeta(raw);
  if (opts.appendDefaultPattern) tail += opts.defaultPattern;
  if (!opts.prefix) tail += '$';
  const head = (opts.caseInsensitive ? '(?i)' : '') + '^';
  const err = checkRe2(head + gorilla + tail);
  if (err) throw new TemplateError(`invalid regexp ${JSON.stringify(head + gorilla + tail)}: ${err}`);
  return { regex: head + ours + tail, variables };
}
