// Label selectors: the parser lives with the static configuration that validates them; the model only applies them.
import { matchLabelSelector, parseLabelSelector as parseRequirements } from '../config/labelselector';

export type LabelSelector = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(text: string): LabelSelector | { error: string } {
  const reqs = parseRequirements(text);
  if (!Array.isArray(reqs)) return reqs;
  return (labels) => matchLabelSelector(reqs, labels);
}
