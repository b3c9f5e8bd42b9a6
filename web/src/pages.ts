// The dashboard's pages: each fetches what it shows from the admin API and returns HTML (values escaped),
// plus an optional `mount` that wires the page's controls once it is in the document.
import { get, type Json } from './api';
import { ago, badge, esc, href, json, link, meta, table } from './html';

export interface Page {
  title: string;
  html: string;
  mount?(root: HTMLElement): void;
}

const counts = (c: Json | undefined) =>
  c ? `<div class="counts">${badge('ok', `${c.ok} ok`)} ${badge('warning', `${c.warning} warning`)} ${badge('error', `${c.error} error`)}</div>` : '';

function card(title: string, total: unknown, body: string, to?: string): string {
  return `<div class="card" data-card="${esc(title)}"><h3>${to ? link(to, title) : esc(title)}</h3><div class="big">${esc(total)}</div>${body}</div>`;
}

// ------------------------------------------------------------------------------------------ overview

export async function overview(): Promise<Page> {
  const o = await get('/api/overview');
  const b = o.lastBuild as Json | undefined;
  const cards = [
    card('HTTP routers', o.routers.http.total, counts(o.routers.http), '#/routers?protocol=http'),
    card('TCP routers', o.routers.tcp.total, counts(o.routers.tcp), '#/routers?protocol=tcp'),
    card('UDP routers', o.routers.udp.total, counts(o.routers.udp), '#/routers?protocol=udp'),
    card('Services', o.services.total, counts(o.services), '#/services'),
    card('Middlewares', o.middlewares.total, counts(o.middlewares), '#/middlewares'),
    card('Snapshot', '', meta([
      ['version', `<code id="snapshot-version">${esc(o.version ?? 'none yet')}</code>`],
      ['fleet', esc(o.fleet)],
      ['last build', b ? ago(b.at) : 'never'],
      ['duration', b ? `<span id="build-duration">${esc(b.durationMs)} ms</span>${b.fastPath ? ' (endpoints only)' : ''}` : undefined],
      ['failed', b?.failed ? `<span class="error-text">${esc(b.failed)}</span>` : undefined],
      ['ready', o.ready ? badge('ok', 'ready') : badge('warning', 'not ready')],
    ])),
    card('Clients', o.clients.connected, o.clients.nacked ? badge('error', `${o.clients.nacked} with NACKs`) : badge('ok', 'no NACK'), '#/clients'),
    card('Diagnostics', o.diagnostics.error + o.diagnostics.warning + o.diagnostics.info,
      `<div class="counts">${badge('error', `${o.diagnostics.error} errors`)} ${badge('warning', `${o.diagnostics.warning} warnings`)} ${badge('info', `${o.diagnostics.info} info`)}</div>`, '#/diagnostics'),
  ];
  const fleets = table(['Fleet', 'Profile', 'Snapshot version', 'Connected nodes'], (o.fleets as Json[]).map((f) => [
    esc(f.fleet), esc(f.profile), `<code>${esc(f.version ?? '—')}</code>`,
    (f.nodes as Json[]).map((n) => `${esc(n.id)}${n.nacked ? ` ${badge('nack', 'NACK')}` : ''}`).join(', ') || '<span class="muted">none</span>',
  ]));
  return { title: 'Overview', html: `<h1>Overview</h1><div class="cards">${cards.join('')}</div><h2>Fleets</h2><div id="fleets">${fleets}</div>` };
}

// ---------------------------------------------------------------------------------------------- lists

interface Column {
  title: string;
  cell(x: Json): string;
}

interface ListSpec {
  page: string;
  title: string;
  api: string;
  key: string;
  columns: Column[];
  /** Filters offered as selects: field → values. */
  filters: Record<string, string[]>;
}

const links = (page: string, ids: string[] | undefined) => (ids ?? []).map((id) => link(href(page, id), id.replace(/^[a-z]+:/, ''))).join('<br>');
const status: Column = { title: 'Status', cell: (x) => badge(x.status) };
const nameCol = (page: string): Column => ({ title: 'Name', cell: (x) => `${link(href(page, x.id), x.name)}${x.served === false ? ` ${badge('warning', 'not served')}` : ''}` });
const STATUSES = ['ok', 'warning', 'error'];

export const LISTS: Record<string, ListSpec> = {
  routers: {
    page: 'routers', title: 'Routers', api: '/api/routers', key: 'routers', filters: { protocol: ['http', 'tcp', 'udp'], status: STATUSES },
    columns: [status, nameCol('routers'), { title: 'Protocol', cell: (x) => esc(x.protocol) },
      { title: 'Entry points', cell: (x) => esc((x.entryPoints as string[]).join(', ')) },
      { title: 'Rule', cell: (x) => `<code>${esc(x.rule)}</code>${x.tls ? ` ${badge('info', `TLS ${x.tls}`)}` : ''}` },
      { title: 'Middlewares', cell: (x) => links('middlewares', (x.middlewares as string[]).map((m) => `${x.protocol}:${m}`)) },
      { title: 'Services', cell: (x) => links('services', (x.services as string[]).map((s) => `${x.protocol}:${s}`)) },
      { title: 'Source', cell: (x) => esc(`${x.source.kind} ${x.source.namespace}/${x.source.name}`) }],
  },
  services: {
    page: 'services', title: 'Services', api: '/api/services', key: 'services', filters: { protocol: ['http', 'tcp', 'udp'], status: STATUSES },
    columns: [status, nameCol('services'), { title: 'Protocol', cell: (x) => esc(x.protocol) }, { title: 'Type', cell: (x) => esc(x.type) },
      { title: 'Kubernetes Service', cell: (x) => esc(x.service ?? '') }, { title: 'Endpoints', cell: (x) => esc(x.endpoints ?? '') },
      { title: 'Used by', cell: (x) => links('routers', x.usedBy) }],
  },
  middlewares: {
    page: 'middlewares', title: 'Middlewares', api: '/api/middlewares', key: 'middlewares', filters: { protocol: ['http', 'tcp'], status: STATUSES },
    columns: [status, nameCol('middlewares'), { title: 'Protocol', cell: (x) => esc(x.protocol) }, { title: 'Type', cell: (x) => esc(x.type) },
      { title: 'Used by', cell: (x) => links('routers', x.usedBy) }],
  },
  tlsoptions: {
    page: 'tlsoptions', title: 'TLS options', api: '/api/tlsoptions', key: 'tlsOptions', filters: { status: STATUSES },
    columns: [status, nameCol('tlsoptions'), { title: 'Min version', cell: (x) => esc(x.minVersion ?? '') }, { title: 'Client auth', cell: (x) => esc(x.clientAuth ?? '') },
      { title: 'Used by', cell: (x) => links('routers', x.usedBy) }],
  },
  transports: {
    page: 'transports', title: 'Transports', api: '/api/transports', key: 'transports', filters: { protocol: ['http', 'tcp'], status: STATUSES },
    columns: [status, nameCol('transports'), { title: 'Protocol', cell: (x) => esc(x.protocol) },
      { title: 'Clusters', cell: (x) => links('services', (x.clusters as string[]).map((c) => `${x.protocol}:${c}`)) }],
  },
};

/** Search and filter state per list, kept across live re-renders (and taken from `#/list?protocol=…`). */
const listState = new Map<string, Record<string, string>>();

export async function list(spec: ListSpec, query: URLSearchParams): Promise<Page> {
  const items = (await get(spec.api))[spec.key] as Json[];
  const state = listState.get(spec.page) ?? {};
  for (const [k, v] of query) state[k] = v;
  listState.set(spec.page, state);
  const selects = Object.entries(spec.filters).map(([f, vals]) =>
    `<select data-filter="${esc(f)}" aria-label="${esc(f)}"><option value="">any ${esc(f)}</option>${vals.map((v) => `<option${state[f] === v ? ' selected' : ''}>${esc(v)}</option>`).join('')}</select>`);
  const rows = items.map((x) => spec.columns.map((c) => c.cell(x)));
  const attrs = items.map((x) => Object.keys(spec.filters).map((f) => `data-${f}="${esc(x[f])}"`).join(' '));
  const html = `<h1>${esc(spec.title)} <span class="muted" id="count"></span></h1>
    <div class="tools"><input type="search" placeholder="Search ${esc(spec.title.toLowerCase())}…" id="search" value="${esc(state.q ?? '')}">${selects.join('')}</div>
    ${table(spec.columns.map((c) => c.title), rows).replace(/<tr class="">/g, () => '<tr class="item">')}`;
  return {
    title: spec.title,
    html: injectRowAttrs(html, attrs),
    mount(root) {
      const apply = () => {
        const q = (state.q ?? '').toLowerCase();
        let shown = 0;
        root.querySelectorAll<HTMLTableRowElement>('tbody tr').forEach((tr) => {
          const ok = (!q || tr.textContent!.toLowerCase().includes(q)) && Object.keys(spec.filters).every((f) => !state[f] || tr.dataset[f] === state[f]);
          tr.hidden = !ok;
          if (ok) shown++;
        });
        root.querySelector('#count')!.textContent = `(${shown} of ${items.length})`;
      };
      root.querySelector<HTMLInputElement>('#search')?.addEventListener('input', (e) => {
        state.q = (e.target as HTMLInputElement).value;
        apply();
      });
      root.querySelectorAll<HTMLSelectElement>('select[data-filter]').forEach((s) => s.addEventListener('change', () => {
        state[s.dataset.filter!] = s.value;
        apply();
      }));
      apply();
    },
  };
}

function injectRowAttrs(html: string, attrs: string[]): string {
  let i = 0;
  return html.replace(/<tr class="item">/g, () => `<tr class="item" ${attrs[i++] ?? ''}>`);
}

// ------------------------------------------------------------------------------------------- details

function diagnostics(ds: Json[] | undefined): string {
  return `<h2>Diagnostics</h2><div id="diagnostics">${table(['Severity', 'Object', 'Field', 'Message', 'Source'], (ds ?? []).map((d) => [
    badge(d.severity), esc(`${d.kind} ${d.namespace ?? ''}${d.name ? `/${d.name}` : ''}`), `<code>${esc(d.field ?? '')}</code>`, esc(d.message), `<code>${esc(d.source ?? '')}</code>`,
  ]))}</div>`;
}

function sourceObjects(objs: (Json | undefined)[]): string {
  const list = objs.filter((o): o is Json => !!o);
  if (!list.length) return '';
  return `<h2>Source</h2>${list.map((o) => `<details open class="source"><summary><strong>${esc(o.kind)} ${esc(o.namespace)}/${esc(o.name)}</strong>${o.file ? ` <span class="muted">— ${esc(o.file)}</span>` : ''}</summary>${
    o.yaml ? `<pre class="yaml">${esc(o.yaml)}</pre>` : `<p class="muted">${o.kind === 'Secret' ? 'Secrets are not shown.' : 'Not found in the sources.'}</p>`}</details>`).join('')}`;
}

function envoyLink(type: string, name: string): string {
  return link(`#/envoy/${type}/${encodeURIComponent(name)}`, name);
}

const TYPE_TITLES: Record<string, string> = { listeners: 'Listener', routes: 'Route configuration', route: 'Route', clusters: 'Cluster', endpoints: 'Endpoints (ClusterLoadAssignment)' };

function envoy(refs: Json[] | undefined): string {
  const items = (refs ?? []).map((r) => {
    const title = r.type === 'route'
      ? `${esc(TYPE_TITLES.route)} <code>${esc(r.name)}</code> in ${envoyLink('routes', r.routeConfig)} › virtual host <code>${esc(r.virtualHost)}</code> (${esc((r.domains ?? []).join(', '))})`
      : `${esc(TYPE_TITLES[r.type] ?? r.type)} ${envoyLink(r.type, r.name)}`;
    return `<details class="envoy" data-type="${esc(r.type)}"><summary>${title}</summary>${r.resource !== undefined ? json(r.resource) : '<p class="muted">Open the link for the whole resource.</p>'}</details>`;
  });
  return `<h2>Envoy resources</h2><div id="envoy">${items.join('') || '<p class="muted">None generated.</p>'}</div>`;
}

function usedBy(ids: string[] | undefined, page = 'routers'): string {
  return ids?.length ? links(page, ids) : '<span class="muted">nothing</span>';
}

export async function detail(page: string, id: string): Promise<Page> {
  const x = await get(`/api/${page}/${encodeURIComponent(id)}`);
  const head = `<h1>${esc(x.name)} ${badge(x.status)}${x.served === false ? ` ${badge('warning', 'not served')}` : ''}</h1>`;
  let body = '';
  if (page === 'routers') {
    body = meta([
      ['protocol', esc(x.protocol)], ['entry points', esc((x.entryPoints ?? []).join(', '))], ['rule', `<code>${esc(x.rule)}</code>`],
      ['priority', esc(x.priority)], ['TLS', esc(x.tls)],
      ['middlewares', links('middlewares', (x.middlewares ?? []).map((m: string) => `${x.protocol}:${m}`))],
      ['services', links('services', (x.services ?? []).map((s: string) => `${x.protocol}:${s}`))],
    ]) + (x.pathSvg ? `<h2>Request path</h2><div class="picture" id="request-path">${x.pathSvg}</div>` : '');
  } else if (page === 'services') {
    body = meta([
      ['protocol', esc(x.protocol)], ['type', esc(x.type)], ['Envoy cluster', x.cluster ? envoyLink('clusters', x.cluster) : undefined],
      ['Kubernetes Service', esc(x.service)], ['transport', x.transport ? link(href('transports', `${x.protocol}:${x.transport}`), x.transport) : undefined],
      ['fails every request', x.failAll ? `<span class="error-text">${esc(x.failAll)}</span>` : undefined],
      ['clusters', x.clusters ? links('services', (x.clusters as string[]).map((c) => `http:${c}`)) : undefined],
      ['used by', usedBy(x.usedBy)],
    ]) + (x.endpointList ? `<h2>Endpoints</h2>${table(['Address', 'Port', 'Fenced'], (x.endpointList as Json[]).map((e) => [esc(e.address), esc(e.port), e.fenced ? 'yes (sticky only)' : '']))}` : '');
  } else if (page === 'middlewares') {
    body = meta([['protocol', esc(x.protocol)], ['type', esc(x.type)], ['used by', usedBy(x.usedBy)]]);
  } else if (page === 'tlsoptions') {
    body = meta([['min version', esc(x.minVersion)], ['max version', esc(x.maxVersion)], ['client auth', esc(x.clientAuth)], ['SNI strict', esc(x.sniStrict)],
      ['ALPN', esc((x.alpn ?? []).join(', '))], ['used by', usedBy(x.usedBy)]]);
  } else if (page === 'transports') {
    body = meta([['protocol', esc(x.protocol)], ['clusters', links('services', (x.clusters ?? []).map((c: string) => `${x.protocol}:${c}`))]]);
  }
  const objects = x.objects ?? [x.object];
  return { title: x.name, html: head + body + diagnostics(x.diagnostics) + sourceObjects(objects) + envoy(x.envoy) };
}

export async function envoyResource(type: string, name: string): Promise<Page> {
  const x = await get(`/api/envoy/${encodeURIComponent(type)}/${encodeURIComponent(name)}`);
  return {
    title: name,
    html: `<h1>${esc(TYPE_TITLES[type] ?? type)} <code>${esc(name)}</code></h1>${meta([['fleet', esc(x.fleet)], ['snapshot version', `<code>${esc(x.version)}</code>`],
      ['from', (x.objects as string[]).map(esc).join('<br>') || '<span class="muted">unknown</span>']])}${json(x.resource)}`,
  };
}

// ------------------------------------------------------------------------------------ clients, problems

export async function clients(): Promise<Page> {
  const cs = (await get('/api/clients')).clients as Json[];
  const rows: string[][] = [];
  const nack: boolean[] = [];
  for (const c of cs) {
    const types = Object.entries(c.types as Record<string, Json>);
    if (!types.length) types.push(['—', {}]);
    for (const [type, t] of types) {
      const n = t.nack as Json | undefined;
      nack.push(!!n);
      rows.push([
        `<strong>${esc(c.node?.id)}</strong>`, esc(c.fleet?.fleet), esc(c.fleet?.profile), esc(`${c.protocol}${c.aggregated ? ' (ADS)' : ''}`), ago(c.connectedAt),
        esc(type), `<code>${esc(t.sentVersion ?? '')}</code>`, `<code>${esc(t.ackedVersion ?? '')}</code>`,
        n ? `${badge('nack', 'NACK')} <code>${esc(n.version)}</code><div class="error-text">${esc(n.message)}</div>${(n.objects as string[] | undefined)?.length ? `<div>objects: ${(n.objects as string[]).map(esc).join(', ')}</div>` : ''}` : '',
      ]);
    }
  }
  return {
    title: 'Clients',
    html: `<h1>Connected clients <span class="muted">(${cs.length})</span></h1><div id="clients">${table(['Node', 'Fleet', 'Profile', 'Protocol', 'Connected', 'Type', 'Sent', 'Acked', 'NACK'], rows, (i) => (nack[i] ? 'nack' : ''))}</div>`,
  };
}

export async function problems(): Promise<Page> {
  const ds = (await get('/api/diagnostics')).diagnostics as Json[];
  return { title: 'Diagnostics', html: `<h1>Diagnostics <span class="muted">(${ds.length})</span></h1>${diagnostics(ds).replace('<h2>Diagnostics</h2>', '')}` };
}
