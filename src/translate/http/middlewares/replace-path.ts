// ReplacePath: the path becomes `path`; X-Replaced-Path carries the original path.
import { fieldOf, type MiddlewareTranslator } from './types';

export const translateReplacePath: MiddlewareTranslator = (mw) => {
  const path: string = mw.config.path ?? '';
  if (!path) return { issues: [{ severity: 'error', field: fieldOf(mw, 'path'), message: 'path is empty' }] };
  return {
    route: {
      path: { t: 'replace', path },
      requestHeadersToAdd: [{ header: { key: 'X-Replaced-Path', value: '%REQ(:PATH)%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
    },
    issues: [{ severity: 'warning', field: fieldOf(mw, 'path'), message: 'approximated: X-Replaced-Path also carries the query string (Envoy has no path-only header formatter)' }],
  };
};
