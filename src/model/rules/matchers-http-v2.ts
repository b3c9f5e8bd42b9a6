// HTTP matchers, v2 syntax (Traefik pkg/muxer/http/matcher_v2.go, on top of
// gorilla/mux as forked in github.com/containous/mux). Multi-argument matchers
// are ORs, except Headers/HeadersRegexp/Query whose pairs are ANDed.

import { canonicalHeaderKey, goToUpper, isASCII } from './go-strings';
import { allOf, anyOf, fail, template, userRegexp, v2HostLeaf, type MatcherSpec } from './matcher-kit';
import { clientIPCidr } from './matchers-http-v3';
import { compileTemplate, hasTemplateVariables, TemplateError } from './templates';
import type { Leaf, Pred, RuleArg } from './types';

function host(matcher: string) {
  return (args: RuleArg[]): Pred =>
    anyOf(
      args.map((a) => {
        if (!isASCII(a.value)) fail(`${matcher} matcher: invalid value ${JSON.stringify(a.value)}, non-ASCII characters are not allowed`, a);
        return v2HostLeaf(a.value.toLowerCase());
      }),
    );
}

function pathTemplate(matcher: 'Path' | 'PathPrefix', prefix: boolean) {
  return (args: RuleArg[]): Pred =>
    anyOf(
      args.map((a): Leaf => {
        if (!a.value.startsWith('/')) fail(`${matcher} matcher: path must start with a slash, got ${JSON.stringify(a.value)}`, a);
        if (!hasTemplateVariables(a.value)) return prefix ? { t: 'pathPrefix', prefix: a.value } : { t: 'path', path: a.value };
        const re = template(matcher, a, a.value, { defaultPattern: '[^/]+', caseInsensitive: false, prefix, checkVariablePatterns: true });
        return { t: 'pathRegexp', re };
      }),
    );
}

function pairs(matcher: string, args: RuleArg[]): void {
  if (args.length % 2 !== 0) {
    fail(`${matcher} matcher needs key/value pairs (an even number of arguments), got ${args.length}`, args[args.length - 1]!);
  }
}

/** gorilla keeps pairs in a map keyed by the key as written: a repeated key keeps its last value. */
function lastValuePerKey(args: RuleArg[]): Array<[RuleArg, RuleArg]> {
  const byKey = new Map<string, [RuleArg, RuleArg]>();
  for (let i = 0; i < args.length; i += 2) {
    byKey.delete(args[i]!.value);
    byKey.set(args[i]!.value, [args[i]!, args[i + 1]!]);
  }
  return [...byKey.values()];
}

/**
 * `Query("k=v", ...)`: Traefik splits every argument on its first `=` and hands the
 * flattened list to gorilla's `Queries(k1, v1, k2, v2, ...)`, so an argument without
 * `=` pairs up with the next piece (`Query("a", "b")` is `Query("a=b")`).
 * gorilla then matches `key + "=" + firstValueOfKey` against an anchored template regexp.
 */
function query(args: RuleArg[]): Pred {
  const pieces: Array<{ text: string; arg: RuleArg }> = [];
  for (const a of args) {
    const eq = a.value.indexOf('=');
    if (eq < 0) pieces.push({ text: a.value, arg: a });
    else pieces.push({ text: a.value.slice(0, eq), arg: a }, { text: a.value.slice(eq + 1), arg: a });
  }
  if (pieces.length % 2 !== 0) {
    fail(`Query matcher needs "key=value" arguments, got an odd number of key/value pieces (${pieces.length})`, pieces[pieces.length - 1]!.arg);
  }
  const leaves: Leaf[] = [];
  const seenVariables = new Set<string>();
  for (let i = 0; i < pieces.length; i += 2) {
    const arg = pieces[i + 1]!.arg;
    const tpl = `${pieces[i]!.text}=${pieces[i + 1]!.text}`;
    const eq = tpl.indexOf('=');
    const key = tpl.slice(0, eq);
    const value = tpl.slice(eq + 1);
    let variables: string[];
    try {
      variables = compileTemplate(tpl, {
        defaultPattern: '.*',
        caseInsensitive: false,
        prefix: false,
        checkVariablePatterns: true,
        appendDefaultPattern: value === '',
      }).variables;
    } catch (e) {
      if (e instanceof TemplateError) fail(`Query matcher: ${e.message}`, arg);
      throw e;
    }
    for (const v of variables) {
      if (seenVariables.has(v)) fail(`Query matcher: duplicated route variable ${JSON.stringify(v)}`, arg);
    }
    variables.forEach((v) => seenVariables.add(v));
    leaves.push(queryLeaf(key, value));
  }
  return allOf(leaves);
}

function queryLeaf(key: string, value: string): Leaf {
  if (hasTemplateVariables(key)) {
    // gorilla only looks at the key spelled exactly like the template's key part, braces
    // included, and then matches "key=value" against a regexp that treats those braces as
    // variables; no key/value split of that regexp exists. Such rules match nothing real.
    return { t: 'queryRegexp', name: key, re: '[^\\x00-\\x{10FFFF}]', firstValueOnly: true };
  }
  if (value !== '' && !hasTemplateVariables(value)) return { t: 'query', name: key, value, firstValueOnly: true };
  // Approximation: a `^` or `\A` inside a variable pattern can never match in gorilla (the
  // text starts with "key="), but matches at the value's start here.
  const re = compileTemplate(value, {
    defaultPattern: '.*',
    caseInsensitive: false,
    prefix: false,
    checkVariablePatterns: false,
    appendDefaultPattern: value === '',
  }).regex;
  return { t: 'queryRegexp', name: key, re, firstValueOnly: true };
}

export const HTTP_V2_MATCHERS: MatcherSpec[] = [
  { name: 'Host', build: host('Host') },
  { name: 'HostHeader', build: host('HostHeader') },
  {
    name: 'HostRegexp',
    build: (args) =>
      anyOf(
        args.map((a): Leaf => {
          if (!isASCII(a.value)) fail(`HostRegexp matcher: invalid value ${JSON.stringify(a.value)}, non-ASCII characters are not allowed`, a);
          const re = template('HostRegexp', a, a.value, { defaultPattern: '[^.]+', caseInsensitive: true, prefix: false, checkVariablePatterns: true });
          return { t: 'hostRegexp', re };
        }),
      ),
  },
  { name: 'Path', build: pathTemplate('Path', false) },
  { name: 'PathPrefix', build: pathTemplate('PathPrefix', true) },
  { name: 'Method', build: (args) => anyOf(args.map((a): Leaf => ({ t: 'method', method: goToUpper(a.value) }))) },
  {
    name: 'Headers',
    build: (args) => {
      pairs('Headers', args);
      return allOf(lastValuePerKey(args).map(([k, v]): Leaf => ({ t: 'header', name: canonicalHeaderKey(k.value), value: v.value })));
    },
  },
  {
    name: 'HeadersRegexp',
    build: (args) => {
      pairs('HeadersRegexp', args);
      // gorilla compiles every value, including those a repeated key later overrides.
      for (let i = 1; i < args.length; i += 2) userRegexp('HeadersRegexp', args[i]!);
      return allOf(
        lastValuePerKey(args).map(([k, v]): Leaf => ({ t: 'headerRegexp', name: canonicalHeaderKey(k.value), re: v.value })),
      );
    },
  },
  { name: 'Query', build: query },
  { name: 'ClientIP', build: (args) => anyOf(args.map((a): Leaf => ({ t: 'clientIP', cidr: clientIPCidr('ClientIP', a) }))) },
];
