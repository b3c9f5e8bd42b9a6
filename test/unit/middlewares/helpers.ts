import type { ResolvedMiddleware } from '../../../src/model/middlewares';
import type { MiddlewareType } from '../../../src/model/crds/types';
import type { MiddlewareOutput } from '../../../src/translate/http/middlewares/types';

/** A resolved middleware default/<name> of one type, as the model hands it to a translator. */
export function mw(type: MiddlewareType, config: unknown, name = 'm'): ResolvedMiddleware {
  return {
    id: `default/${name}`,
    namespace: 'default',
    name,
    type,
    config,
    data: {},
    subject: { kind: 'Middleware', namespace: 'default', name },
    via: [],
  };
}

export function errors(out: MiddlewareOutput): string[] {
  return out.issues.filter((i) => i.severity === 'error').map((i) => i.message);
}

export function warnings(out: MiddlewareOutput): string[] {
  return out.issues.filter((i) => i.severity === 'warning').map((i) => i.message);
}
