// The dashboard's entry: hash routes (#/, #/routers, #/routers/<id>, #/envoy/<type>/<name>, …), rendering
// into <main id="app">, and live re-rendering when the server says something changed.
import { subscribe, NotFound } from './api';
import { esc } from './html';
import { LISTS, clients, detail, envoyResource, list, overview, problems, type Page } from './pages';

const app = document.getElementById('app')!;

function route(): { path: string[]; query: URLSearchParams } {
  const h = location.hash.replace(/^#\/?/, '');
  const [p, q] = h.split('?');
  return { path: p ? p.split('/').map(decodeURIComponent) : [], query: new URLSearchParams(q ?? '') };
}

async function pageFor(path: string[], query: URLSearchParams): Promise<Page> {
  const [top, ...rest] = path;
  if (!top) return overview();
  if (top === 'clients') return clients();
  if (top === 'diagnostics') return problems();
  if (top === 'envoy' && rest.length >= 2) return envoyResource(rest[0], rest.slice(1).join('/'));
  const spec = LISTS[top];
  if (spec && rest.length) return detail(top, rest.join('/'));
  if (spec) return list(spec, query);
  throw new NotFound(`no page ${top}`);
}

let rendering = 0;

async function render(): Promise<void> {
  const n = ++rendering;
  const { path, query } = route();
  document.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === (path[0] ?? 'overview')));
  let page: Page;
  try {
    page = await pageFor(path, query);
  } catch (e) {
    page = { title: 'Error', html: `<h1>${e instanceof NotFound ? 'Not found' : 'Error'}</h1><p class="error-text">${esc((e as Error).message)}</p>` };
  }
  if (n !== rendering) return; // a newer render started meanwhile
  // Keep open <details> and the scroll position across live re-renders of the same page.
  const open = new Set([...app.querySelectorAll('details')].map((d, i) => (d.open ? i : -1)));
  const same = app.dataset.route === location.hash;
  const focus = same && document.activeElement?.id === 'search';
  app.innerHTML = page.html;
  if (same) app.querySelectorAll('details').forEach((d, i) => { if (open.has(i)) d.open = true; });
  app.dataset.route = location.hash;
  app.dataset.rendered = String(Date.now());
  document.title = `${page.title} · traefik-xds`;
  page.mount?.(app);
  if (focus) app.querySelector<HTMLInputElement>('#search')?.focus();
}

let pending: number | undefined;
function refresh(): void {
  // Coalesce bursts of changes into one re-render.
  if (pending !== undefined) return;
  pending = window.setTimeout(() => {
    pending = undefined;
    void render();
  }, 150);
}

window.addEventListener('hashchange', () => void render());
const live = document.getElementById('live')!;
subscribe(refresh, (state) => {
  live.className = `live ${state === 'live' ? 'on' : 'off'}`;
  live.textContent = state === 'live' ? 'live' : 'polling';
});
void render();
