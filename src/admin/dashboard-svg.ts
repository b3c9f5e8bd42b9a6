// The request-path picture of one router, drawn as an SVG: entry point → rule → middlewares in order →
// service tree (weights, mirrors, stickiness) → endpoints. A tidy left-to-right tree: each leaf takes a row,
// each parent sits at the middle of its children, each depth a column. Every text is XML-escaped.
import type { PathNode } from './api-model';

const BOX_W = 190;
const BOX_H = 44;
const COL = 250;
const ROW = 62;
const PAD = 16;

const COLORS: Record<PathNode['kind'], { fill: string; stroke: string }> = {
  entry: { fill: '#e8f0fe', stroke: '#1a73e8' },
  rule: { fill: '#fef7e0', stroke: '#b06000' },
  middleware: { fill: '#f3e8fd', stroke: '#8430ce' },
  service: { fill: '#e6f4ea', stroke: '#188038' },
  cluster: { fill: '#e6f4ea', stroke: '#0d652d' },
  endpoint: { fill: '#f1f3f4', stroke: '#5f6368' },
  problem: { fill: '#fce8e6', stroke: '#c5221f' },
};

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

interface Placed {
  node: PathNode;
  x: number;
  y: number;
}

export function requestPathSvg(root: PathNode): string {
  const placed: Placed[] = [];
  const edges: { from: Placed; to: Placed }[] = [];
  let row = 0;
  let maxDepth = 0;
  const place = (n: PathNode, depth: number): Placed => {
    maxDepth = Math.max(maxDepth, depth);
    const kids = n.children.map((c) => place(c, depth + 1));
    const y = kids.length ? (kids[0].y + kids[kids.length - 1].y) / 2 : PAD + row++ * ROW;
    const p: Placed = { node: n, x: PAD + depth * COL, y };
    placed.push(p);
    for (const k of kids) edges.push({ from: p, to: k });
    return p;
  };
  place(root, 0);
  const width = PAD * 2 + maxDepth * COL + BOX_W;
  const height = PAD * 2 + Math.max(1, row - 1) * ROW + BOX_H;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="request-path" role="img" aria-label="request path" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5f6368"/></marker></defs>');
  for (const e of edges) {
    const x1 = e.from.x + BOX_W;
    const y1 = e.from.y + BOX_H / 2;
    const x2 = e.to.x;
    const y2 = e.to.y + BOX_H / 2;
    const mx = (x1 + x2) / 2;
    const dash = e.to.node.mirror ? ' stroke-dasharray="5,4"' : '';
    out.push(`<path class="edge" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" fill="none" stroke="#5f6368" stroke-width="1.5"${dash} marker-end="url(#arrow)"/>`);
    if (e.to.node.edge) {
      out.push(`<text class="edge-label" x="${x2 - 6}" y="${y2 - 6}" text-anchor="end" font-size="11" fill="#3c4043">${escapeXml(clip(e.to.node.edge, 34))}</text>`);
    }
  }
  // Document order follows the path: left to right, then top to bottom.
  placed.sort((a, b) => a.x - b.x || a.y - b.y);
  for (const p of placed) {
    const c = COLORS[p.node.kind];
    const box = [
      `<g class="node node-${p.node.kind}" data-kind="${p.node.kind}">`,
      `<title>${escapeXml(`${p.node.kind}: ${p.node.label}${p.node.sub ? ` (${p.node.sub})` : ''}`)}</title>`,
      `<rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"/>`,
      `<text x="${p.x + 8}" y="${p.y + 18}" font-size="12" font-weight="600" fill="#202124">${escapeXml(clip(p.node.label, 28))}</text>`,
      p.node.sub ? `<text x="${p.x + 8}" y="${p.y + 34}" font-size="11" fill="#5f6368">${escapeXml(clip(p.node.sub, 30))}</text>` : '',
      '</g>',
    ].join('');
    out.push(p.node.href ? `<a href="${escapeXml(p.node.href)}">${box}</a>` : box);
  }
  out.push('</svg>');
  return out.join('\n');
}
