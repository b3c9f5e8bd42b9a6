// RedirectRegex decomposition: the Envoy redirect (route conditions + RedirectAction) is compared with
// Traefik's behaviour (regexp match on scheme://host/requestURI, ReplaceAllString, no redirect when the URL is
// unchanged) over a grid of request URLs.
import * as assert from 'node:assert/strict';
import { translateRedirectRegex } from '../../../src/translate/http/middlewares/redirect-regex';
import { fullMatchRe2 } from '../../helpers/re2-cache';
import type { ResolvedMiddleware } from '../../../src/model/middlewares';
import type { HeaderMatcher } from '../../../src/envoy/types';

function mw(regex: string, replacement: string): ResolvedMiddleware {
  return {
    id: 'default/r', namespace: 'default', name: 'r', type: 'redirectRegex', config: { regex, replacement }, data: {},
    subject: { kind: 'Middleware', namespace: 'default', name: 'r' }, via: [],
  };
}

/** Traefik: the target URL, or undefined when it forwards. Go's `${n}` becomes JavaScript's `$n`. */
function traefik(regex: string, replacement: string, url: string): string | undefined {
  const re = new RegExp(regex);
  if (!re.test(url)) return undefined;
  const out = url.replace(re, replacement.replace(/\$\{(\d+)\}/g, '$$$1'));
  return out === url ? undefined : out;
}

function headerMatches(h: HeaderMatcher, headers: Record<string, string>): boolean {
  const v = headers[h.name!];
  let ok: boolean;
  if (v === undefined) ok = false;
  else if (h.string_match?.exact !== undefined) ok = v === h.string_match.exact;
  else ok = fullMatchRe2(h.string_match!.safe_regex!.regex!, v);
  return h.invert_match ? !ok : ok;
}

/** Envoy: the Location of the redirect route, or undefined when the route forwards. */
function envoy(regex: string, replacement: string, tls: boolean, url: string): string | undefined | 'refused' {
  const out = translateRedirectRegex(mw(regex, replacement), { tls });
  if (out.issues.some((i) => i.severity === 'error')) return 'refused';
  const r = out.route?.redirect;
  if (!r) return undefined;
  const m = /^(https?):\/\/([^/]+)(\/.*)$/.exec(url)!;
  const headers = { ':authority': m[2]!, ':path': m[3]! };
  if (!(r.when ?? []).every((h) => headerMatches(h, headers))) return undefined;
  const a = r.redirect;
  const scheme = a.scheme_redirect ?? m[1];
  const host = a.host_redirect ? `${a.host_redirect}${a.port_redirect ? `:${a.port_redirect}` : ''}` : m[2];
  const q = m[3]!.indexOf('?');
  const path = q < 0 ? m[3]! : m[3]!.slice(0, q);
  const query = q < 0 ? '' : m[3]!.slice(q);
  let newPath = path;
  if (a.regex_rewrite) {
    newPath = path.replace(new RegExp(a.regex_rewrite.pattern!.regex!), a.regex_rewrite.substitution!.replace(/\\(\d)/g, '$$$1'));
  }
  return `${scheme}://${host}${newPath}${a.strip_query ? '' : query}`;
}

const hosts = ['old.example.com', 'www.old.example.com', 'example.com', 'example.com:8080', 'localhost', 'other.com'];
const paths = ['/', '/a', '/old/x', '/old/x?q=1', '/legacy', '/legacy/x?y=2', '/foo', '/foo/bar?z', '/a/b?c=d&e', '/new/y'];

const cases: [string, string][] = [
  ['^https?://(www\\.)?old\\.example\\.com/(.*)', 'https://new.example.com/${2}'],
  ['^http://([^/]+)/old/(.*)', 'http://${1}/new/${2}'],
  ['^http://[^/]+/(.*)', 'http://example.com/${1}'],
  ['^http://example\\.com/legacy.*', 'http://example.com/'],
  ['^https://example\\.com/foo', 'https://example.com/bar'],
  ['^http://localhost/(.*)', 'http://mydomain/${1}'],
  ['^https?://example\\.com(:\\d+)?/old/', 'https://example.com/new/'],
  ['^http://(.*)', 'https://${1}'],
  // Traefik 1.7 app-root (ingress-legacy.ts): a literal path ending in $ to another literal path.
  ['^(https?)://(example\\.com(?::[0-9]+)?)/$', '${1}://${2}/index.html'],
  ['^(https?)://([^/]+)/$', '${1}://${2}/app/'],
];

describe('middlewares2/redirect-regex: Envoy redirect vs Traefik over a grid of URLs', () => {
  for (const [regex, replacement] of cases) {
    it(`${regex} → ${replacement}`, () => {
      for (const tls of [false, true]) {
        for (const host of hosts) {
          for (const path of paths) {
            const url = `${tls ? 'https' : 'http'}://${host}${path}`;
            const got = envoy(regex, replacement, tls, url);
            assert.notEqual(got, 'refused', `refused: ${regex}`);
            assert.equal(got, traefik(regex, replacement, url), `${url}`);
          }
        }
      }
    });
  }

  it('refuses what Envoy cannot reproduce, with the reason', () => {
    const refused: [string, string, RegExp][] = [
      ['/old/(.*)', '/new/${1}', /not anchored/],
      ['^https?://www\\.([^/]+)/(.*)', 'https://${1}/${2}', /host of the redirect is built from parts/],
      ['^http://a\\.com/search\\?q=(.*)', 'http://b.com/?q=${1}', /query/],
      ['^http://a\\.com/(.*)', 'http://a.com/${1}/x', /must end the replacement/],
      ['^http://(.+)/(a|b)', 'http://x.com/a', /host part of the regex may match "\/"/],
    ];
    for (const [regex, replacement, why] of refused) {
      const out = translateRedirectRegex(mw(regex, replacement), { tls: false });
      const err = out.issues.find((i) => i.severity === 'error');
      assert.ok(err, `${regex} should be refused`);
      assert.match(err.message, why);
    }
  });
});
