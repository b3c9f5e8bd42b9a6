// ReplacePathRegex: every match of `regex` in the (escaped) path is replaced, Go `$1`/`${name}` syntax
// turned into RE2's `\1`. Traefik rewrites (and sets X-Replaced-Path) only when the regex matches.
import { checkRe2 } from '../../../model/rules';
import { fieldOf, type MiddlewareTranslator } from './types';

/** Go's Expand syntax → RE2 substitution: `$1`, `${1}` → `\1`; `$$` → `$`; `\` escaped. Named groups → indexes. */
export function goReplacementToRe2(replacement: string, regex: string): string | { error: string } {
  const names = groupNames(regex);
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\') {
      out += '\\\\';
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    const rest = replacement.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i++;
      continue;
    }
    const m = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest);
    if (!m) {
      out += '$';
      continue;
    }
    const ref = m[1];
    const n = /^\d+$/.test(ref) ? Number(ref) : names.indexOf(ref) + 1;
    if (n <= 0) return { error: `the replacement refers to an unknown group "${ref}"` };
    if (n > 9) return { error: `group ${n}: Envoy substitutions reach \\1 to \\9 only` };
    out += `\\${n}`;
    i += m[0].length;
  }
  return out;
}

/** Names of capturing groups in order (unnamed ones as ''), so `${name}` maps to its index. */
function groupNames(regex: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < regex.length; i++) {
    if (regex[i] === '\\') {
      i++;
      continue;
    }
    if (regex[i] === '[') {
      // skip a character class
      let j = i + 1;
      if (regex[j] === '^') j++;
      if (regex[j] === ']') j++;
      while (j < regex.length && regex[j] !== ']') j += regex[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (regex[i] !== '(') continue;
    if (regex[i + 1] !== '?') names.push('');
    else {
      const m = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(regex.slice(i));
      if (m) names.push(m[1]);
    }
  }
  return names;
}

export const translateReplacePathRegex: MiddlewareTranslator = (mw) => {
  const regex: string = (mw.config.regex ?? '').trim();
  const replacement: string = (mw.config.replacement ?? '').trim();
  if (!regex) return { issues: [{ severity: 'error', field: fieldOf(mw, 'regex'), message: 'regex is empty' }] };
  const err = checkRe2(regex);
  if (err) return { issues: [{ severity: 'error', field: fieldOf(mw, 'regex'), message: `RE2 rejects the regex: ${err}` }] };
  const sub = goReplacementToRe2(replacement, regex);
  if (typeof sub !== 'string') return { issues: [{ severity: 'error', field: fieldOf(mw, 'replacement'), message: sub.error }] };
  return {
    route: {
      path: { t: 'replaceRegex', regex, replacement: sub },
      requestHeadersToAdd: [{ header: { key: 'X-Replaced-Path', value: '%REQ(:PATH)%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
    },
    issues: [{ severity: 'warning', field: fieldOf(mw, 'regex'), message: 'approximated: X-Replaced-Path is set on every request of the route (Traefik sets it only when the regex matches) and also carries the query string' }],
  };
};
