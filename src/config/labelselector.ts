// Kubernetes label selectors (`labelSelector` of the providers), as the API server parses them:
// `a`, `!a`, `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a>1`, `a<1`, joined by commas.
// Validated here so a bad selector is a config error, and evaluated by the manifests source.

export type LabelOperator = 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

type Tok = { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'end' };

function lex(s: string): Tok[] | { error: string } {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      out.push({ t: 'op', v: two });
      i += 2;
    } else if ('=!(),<>'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
    } else if (/[A-Za-z0-9_.\-/]/.test(c)) {
      let j = i;
      while (j < s.length && /[A-Za-z0-9_.\-/]/.test(s[j])) j++;
      out.push({ t: 'id', v: s.slice(i, j) });
      i = j;
    } else {
      return { error: `unexpected character "${c}" at position ${i}` };
    }
  }
  out.push({ t: 'end' });
  return out;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

function checkKey(k: string): string | undefined {
  const slash = k.indexOf('/');
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (slash >= 0) {
    const prefix = k.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return `invalid label key "${k}": bad prefix`;
  }
  if (!NAME.test(name)) return `invalid label key "${k}"`;
  return undefined;
}

function checkValue(v: string): string | undefined {
  if (v === '' || NAME.test(v)) return undefined;
  return `invalid label value "${v}"`;
}

/** Parses a selector; '' selects everything (no requirements). */
export function parseLabelSelector(selector: string): LabelRequirement[] | { error: string } {
  const toks = lex(selector);
  if ('error' in toks) return toks;
  const reqs: LabelRequirement[] = [];
  let p = 0;
  const peek = () => toks[p];
  const fail = (msg: string) => ({ error: `invalid label selector "${selector}": ${msg}` });
  if (peek().t === 'end') return reqs;
  for (;;) {
    let tok = toks[p++];
    if (tok.t === 'op' && tok.v === '!') {
      tok = toks[p++];
      if (tok.t !== 'id') return fail('expected a key after "!"');
      const e = checkKey(tok.v);
      if (e) return fail(e);
      reqs.push({ key: tok.v, op: 'notexists', values: [] });
    } else if (tok.t === 'id') {
      const key = tok.v;
      const e = checkKey(key);
      if (e) return fail(e);
      const op = peek();
      if (op.t === 'end' || (op.t === 'op' && op.v === ',')) {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (op.t === 'op' && (op.v === '=' || op.v === '==' || op.v === '!=')) {
        p++;
        let value = '';
        const nv = peek();
        if (nv.t === 'id') {
          value = nv.v;
          p++;
        }
        const ve = checkValue(value);
        if (ve) return fail(ve);
        reqs.push({ key, op: op.v === '!=' ? '!=' : '=', values: [value] });
      } else if (op.t === 'op' && (op.v === '<' || op.v === '>')) {
        p++;
        const nv = toks[p++];
        if (nv.t !== 'id' || !/^-?[0-9]+$/.test(nv.v)) return fail(`expected an integer after "${op.v}"`);
        reqs.push({ key, op: op.v === '>' ? 'gt' : 'lt', values: [nv.v] });
      } else if (op.t === 'id' && (op.v === 'in' || op.v === 'notin')) {
        p++;
        const open = toks[p++];
        if (open.t !== 'op' || open.v !== '(') return fail(`expected "(" after "${op.v}"`);
        const values: string[] = [];
        for (;;) {
          const v = peek();
          let value = '';
          if (v.t === 'id') {
            value = v.v;
            p++;
          }
          const ve = checkValue(value);
          if (ve) return fail(ve);
          values.push(value);
          const sep = toks[p++];
          if (sep.t === 'op' && sep.v === ')') break;
          if (sep.t !== 'op' || sep.v !== ',') return fail('expected "," or ")" in value list');
        }
        reqs.push({ key, op: op.v, values });
      } else {
        return fail(`unexpected "${op.v}" after key "${key}"`);
      }
    } else {
      const t = tok as Tok;
      return fail(t.t === 'op' ? `unexpected "${t.v}"` : 'unexpected end');
    }
    const sep = toks[p++];
    if (sep.t === 'end') return reqs;
    if (sep.t !== 'op' || sep.v !== ',') return fail(`expected "," between requirements`);
  }
}

/** Whether labels satisfy every requirement. */
export function matchLabelSelector(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = has ? l[r.key] : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v as string);
      case 'notin':
        return !has || !r.values.includes(v as string);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?[0-9]+$/.test(v as string)) return false;
        const n = Number(v);
        const ref = Number(r.values[0]);
        return r.op === 'gt' ? n > ref : n < ref;
      }
    }
  });
}
