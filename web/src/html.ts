// Tiny HTML helpers: every value goes through esc() before it reaches innerHTML.

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export type Health = 'ok' | 'warning' | 'error';

export function badge(status: string, text = status): string {
  return `<span class="badge ${esc(status)}" data-status="${esc(status)}">${esc(text)}</span>`;
}

export function link(href: string, text: string): string {
  return `<a href="${esc(href)}">${esc(text)}</a>`;
}

/** `#/routers/<id>`: ids are one URL segment. */
export function href(page: string, id: string): string {
  return `#/${page}/${encodeURIComponent(id)}`;
}

export function table(headers: string[], rows: string[][], rowClass: (i: number) => string = () => ''): string {
  if (!rows.length) return '<p class="muted">None.</p>';
  const head = `<tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r, i) => `<tr class="${rowClass(i)}">${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

export function meta(pairs: [string, string | undefined][]): string {
  return `<dl class="meta">${pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

export function json(v: unknown): string {
  return `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
}

export function ago(iso: string | number | undefined): string {
  if (iso === undefined) return '';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  const rel = s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
  return `<time datetime="${esc(new Date(t).toISOString())}" title="${esc(new Date(t).toISOString())}">${esc(rel)}</time>`;
}
