import * as assert from 'node:assert/strict';
import { re2Matches } from '../../../src/model/rules';
import { otherHostRegex, splitByRedirectEntryPoint } from '../../../src/model/ingress-legacy/redirects';
import { parsePercentage } from '../../../src/model/ingress-legacy/service-weights';
import { legacyBackendName } from '../../../src/model/ingress-legacy/error-pages';
import { templateString } from '../../../src/model/ingress-legacy/template-string';
import { Diagnostics } from '../../../src/model/diagnostics';
import type { HttpRouter } from '../../../src/model/model';
import type { ResolvedMiddleware } from '../../../src/model/middlewares';

describe('1.7 legacy annotations: helpers', () => {
  describe('otherHostRegex (ssl-force-host: every Host but ssl-host)', () => {
    const cases: [string, string, boolean][] = [
      ['b.example.com', 'b.example.com', false],
      ['b.example.com', 'a.example.com', true],
      ['b.example.com', 'b.example.co', true],
      ['b.example.com', 'b.example.com:8443', true],
      ['b.example.com', 'bxexample.com', true],
      ['b.example.com', 'b', true],
      ['b.example.com', '', true],
      ['b.example.com', 'B.example.com', true],
      ['host:8443', 'host:8443', false],
      ['host:8443', 'host', true],
      ['a-b', 'a-b', false],
      ['a-b', 'a.b', true],
    ];
    for (const [sslHost, host, match] of cases) {
      it(`${JSON.stringify(host)} ${match ? 'differs from' : 'is'} ${JSON.stringify(sslHost)}`, () => {
        assert.equal(re2Matches(`^${otherHostRegex(sslHost)}$`, host), match);
      });
    }
    it('never matches a "/"', () => {
      assert.equal(re2Matches(`^${otherHostRegex('a.b')}$`, 'a/b'), false);
    });
  });

  describe('parsePercentage (1/1000 %, 3 decimals, % optional)', () => {
    it('reads 1.7 percentages', () => {
      assert.equal(parsePercentage('12.5%'), 12500);
      assert.equal(parsePercentage('6'), 6000);
      assert.equal(parsePercentage('12.3456%'), 12345);
      assert.equal(parsePercentage('100%'), 100000);
      assert.equal(parsePercentage('.5'), 500);
    });
    it('refuses what is not a percentage', () => {
      for (const v of ['', '%', 'ten', '-5%', '1e2', '12.5%%']) assert.equal(parsePercentage(v), undefined, v);
    });
  });

  it('legacyBackendName: [<priority>-][<entry points>_]<host><path>, or the service name', () => {
    assert.equal(legacyBackendName('a.com', '/x', 'svc', [], 0), 'a.com/x');
    assert.equal(legacyBackendName('', '', 'svc', [], 0), 'svc');
    assert.equal(legacyBackendName('a.com', '/x', 'svc', ['http', 'https'], 3), '3-http-https_a.com/x');
  });

  describe('splitByRedirectEntryPoint', () => {
    const redirect = { id: 'default/r', type: 'redirectScheme', data: { redirectEntryPoint: 'websecure' } } as unknown as ResolvedMiddleware;
    const other = { id: 'default/h', type: 'headers', data: {} } as unknown as ResolvedMiddleware;
    const router = (eps: string[]) => ({
      name: 'default-app-a-com', entryPoints: eps, middlewares: [redirect, other],
      provenance: { kind: 'Ingress', namespace: 'default', name: 'app', subject: { kind: 'Ingress', namespace: 'default', name: 'app' } },
    }) as unknown as HttpRouter;
    it('keeps the target entry point without the redirect, the others with it', () => {
      const [plain, red] = splitByRedirectEntryPoint(router(['web', 'websecure', 'admin']), new Diagnostics());
      assert.deepEqual(plain!.entryPoints, ['websecure']);
      assert.deepEqual(plain!.middlewares.map((m) => m.id), ['default/h']);
      assert.equal(plain!.name, 'default-app-a-com');
      assert.deepEqual(red!.entryPoints, ['web', 'admin']);
      assert.deepEqual(red!.middlewares.map((m) => m.id), ['default/r', 'default/h']);
      assert.equal(red!.name, 'default-app-a-com-redirect');
    });
    it('redirects on every entry point when the target is not one of them', () => {
      const out = splitByRedirectEntryPoint(router(['web']), new Diagnostics());
      assert.equal(out.length, 1);
      assert.equal(out[0]!.middlewares.length, 2);
    });
    it('does not redirect when the router is only on the target', () => {
      const d = new Diagnostics();
      const out = splitByRedirectEntryPoint(router(['websecure']), d);
      assert.equal(out.length, 1);
      assert.deepEqual(out[0]!.middlewares.map((m) => m.id), ['default/h']);
      assert.equal(d.sorted().length, 1);
    });
  });

  describe('templateString (redirect-regex/-replacement as 1.7 rendered them into its TOML template)', () => {
    it('decodes the escapes Go and TOML both accept', () => {
      assert.equal(templateString('^http://a\\\\.b/(.*)'), '^http://a\\.b/(.*)');
      assert.equal(templateString('a\\\\.b'), 'a\\.b');
      assert.equal(templateString('x\\ty\\u00e9\\U0001F600\\"'), 'x\ty\u00e9\u{1F600}"');
      assert.equal(templateString('plain/$1'), 'plain/$1');
    });
    it('rejects what made 1.7 skip the redirect', () => {
      for (const bad of ['a\\.b', 'a"b', 'a\nb', 'a\\', '\\x41', '\\u12', '\\uD800', '\\a']) {
        assert.equal(templateString(bad), undefined, JSON.stringify(bad));
      }
    });
  });
});
