// The items of a JSON array inside a text JSON.stringify wrote, found by scanning it rather than stringifying
// each item on its own: one JSON.stringify call per item cost more than the scan (thousands of virtual hosts).

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The texts of the items of the array whose `[` is at `start` in `text` (JSON.stringify's output: no spaces,
 * quotes inside strings escaped). Undefined when the text is not such an array there.
 */
export function jsonArrayItems(text: string, start: number): string[] | undefined {
  if (text.charCodeAt(start) !== OPEN_BRACKET) return undefined;
  const items: string[] = [];
  let from = start + 1;
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return undefined;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth > 0) {
        depth--;
        continue;
      }
      if (i > from) items.push(text.slice(from, i));
      return items;
    } else if (c === COMMA && depth === 0) {
      items.push(text.slice(from, i));
      from = i + 1;
    }
  }
  return undefined;
}

/** Index of the quote closing the string opened at `open` (-1 if none): the next one not escaped. */
function closingQuote(text: string, open: number): number {
  let j = open;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return j;
  }
}
