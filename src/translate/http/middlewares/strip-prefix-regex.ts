// StripPrefixRegex: the first regex whose leftmost match starts at the beginning of the path is stripped.
import { checkRe2 } from '../../../model/rules';
import { fieldOf, type MiddlewareIssue, type MiddlewareTranslator } from './types';

export const translateStripPrefixRegex: MiddlewareTranslator = (mw) => {
  const regexes: string[] = (mw.config.regex ?? []).map((r: string) => r.trim()).filter((r: string) => r !== '');
  if (regexes.length === 0) return { issues: [{ severity: 'error', field: fieldOf(mw, 'regex'), message: 'no regex' }] };
  const issues: MiddlewareIssue[] = [];
  regexes.forEach((re, i) => {
    const err = checkRe2(re);
    if (err) issues.push({ severity: 'error', field: fieldOf(mw, `regex[${i}]`), message: `RE2 rejects the regex: ${err}` });
  });
  if (issues.length) return { issues };
  issues.push({ severity: 'warning', field: fieldOf(mw, 'regex'), message: 'approximated: X-Forwarded-Prefix is not set (the stripped text is only known at request time)' });
  return { route: { path: { t: 'stripRegex', regexes } }, issues };
};
