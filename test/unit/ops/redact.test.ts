import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { REDACTED, redactingLogger, scrubDeep, scrubText } from '../../../src/admin/redact';
import { captureLog, pemBodyLines } from './helpers';

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const pkcs8 = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

function leaks(text: string, pem: string): string[] {
  return pemBodyLines(pem).filter((l) => text.includes(l)).concat(pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----') && text.includes(l)));
}

describe('ops: redaction of key material', () => {
  it('replaces PEM private keys of every kind, keeping the text around them', () => {
    for (const key of [rsa.privateKey, ec.privateKey, pkcs8.privateKey]) {
      const out = scrubText(`could not load ${key} from the secret`);
      assert.equal(out, `could not load ${REDACTED}\n from the secret`);
      assert.deepEqual(leaks(out, key), []);
    }
  });

  it('replaces a truncated key (an error message cut in the middle)', () => {
    const cut = rsa.privateKey.slice(0, 300);
    const out = scrubText(`error: ${cut}`);
    assert.equal(out, `error: ${REDACTED}`);
  });

  it('replaces the base64 of a PEM key (a Secret\'s data) but keeps base64 certificates', () => {
    const keyB64 = Buffer.from(ec.privateKey).toString('base64');
    const certB64 = Buffer.from(rsa.publicKey.replace(/PUBLIC KEY/g, 'CERTIFICATE')).toString('base64');
    const out = scrubText(`tls.key: ${keyB64} tls.crt: ${certB64}`);
    assert.ok(!out.includes(keyB64.slice(20, 60)), out);
    assert.ok(out.includes(certB64), 'certificates are public');
  });

  it('keeps public material and ordinary text', () => {
    const s = `cert ${rsa.publicKey} ok`;
    assert.equal(scrubText(s), s);
    assert.equal(scrubText('short'), 'short');
  });

  it('scrubs deep structures (values, keys, errors, arrays) without changing the input', () => {
    const input = { a: [{ b: rsa.privateKey }], [`k ${ec.privateKey}`]: 1, e: new Error(`bad ${pkcs8.privateKey}`), n: 3, z: null };
    const out = scrubDeep(input) as Record<string, unknown>;
    const text = JSON.stringify(out);
    assert.deepEqual(leaks(text, rsa.privateKey), []);
    assert.deepEqual(leaks(text, ec.privateKey), []);
    assert.deepEqual(leaks(text, pkcs8.privateKey), []);
    assert.equal(out.n, 3);
    assert.equal(out.z, null);
    assert.equal((input.a[0] as { b: string }).b, rsa.privateKey, 'input untouched');
  });

  it('a redacting logger scrubs messages and fields; wrapping twice is harmless', () => {
    const cap = captureLog();
    const log = redactingLogger(redactingLogger(cap));
    log.warn(`NACK: ${rsa.privateKey}`, { error: `x ${ec.privateKey}`, nested: { list: [pkcs8.privateKey] } });
    log.info('plain', { n: 1 });
    const text = cap.text();
    for (const k of [rsa.privateKey, ec.privateKey, pkcs8.privateKey]) assert.deepEqual(leaks(text, k), []);
    assert.equal(cap.lines.length, 2);
    assert.equal(cap.lines[1].n, 1);
  });
});
