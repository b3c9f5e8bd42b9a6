// The static configuration: types, loader and helpers (see docs/static-config.md).
export * from './types';
export { ConfigIOError, defaultStaticConfig, loadStaticConfig } from './load';
export type { LoadStaticConfigOptions, LoadStaticConfigResult } from './load';
export { parseTraefikDuration, formatDuration } from './duration';
export { addressesConflict, defaultEntryPoints, formatAddress, INTERNAL_ENTRY_POINT, isBindableHost, parseAddress } from './entrypoints';
export { compileGlob, globMatch } from './glob';
export { matchLabelSelector, parseLabelSelector } from './labelselector';
export type { LabelOperator, LabelRequirement } from './labelselector';
export { suggest } from './suggest';
