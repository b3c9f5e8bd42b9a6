// The Markdown summary of a benchmark result (bench/results/<name>.md).

const n = (x: unknown, d = 1): string => (typeof x === 'number' && Number.isFinite(x) ? (Math.round(x * 10 ** d) / 10 ** d).toLocaleString('en-US') : '–');
const mp = (s: { median: number; p99: number } | undefined, d = 1) => (s ? `${n(s.median, d)} (${n(s.p99, d)})` : '–');
const kib = (b: number | undefined) => (b === undefined ? '–' : b >= 2 ** 20 ? `${n(b / 2 ** 20, 2)} MiB` : `${n(b / 1024, 1)} KiB`);

export function renderMarkdown(r: any): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`# traefik-xds benchmark: ${r.name} (${r.mode})`, '');
  out.push(`${r.startedAt} → ${r.finishedAt}. Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, grpc-js ${m.grpcJs}; commit ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}.`);
  out.push(`Load average at start ${r.loadAverage.start.map((x: number) => x.toFixed(1)).join(' / ')}, at end ${(r.loadAverage.end ?? []).map((x: number) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min; anything well above 0 means other work shared the cores).`);
  const how = (x: { mode: string; nodeArgs: string[] } | undefined) => (x ? `${x.mode} (${x.nodeArgs.join(' ')})` : 'through tsx');
  out.push(`Translation benchmark ${how(r.settings?.translation)}; server ${how(r.settings?.server)}.`);
  out.push('', 'Times in ms as median (p99); p99 is the largest sample when there are fewer than 100. docs/performance.md explains each figure.', '');
  if (r.translation.length) {
    out.push('## Translation and incremental changes', '');
    out.push('| routes | objects | full build | full build, validation cold | first build | model / translate / validate+encode (cold) | peak RSS | EndpointSlice change | IngressRoute change [nothing memoised] | Middleware change [nothing memoised] | re-encoded (EPS / IR / MW) | snapshot | largest SotW response |');
    out.push('|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|');
    for (const t of r.translation) {
      const c = t.changes;
      const cold = t.changesNothingMemoised;
      const beside = (kind: string) => (cold?.[kind] ? ` [${n(cold[kind].ms.median, 0)}]` : '');
      const ph = t.full.phasesMs;
      out.push(`| ${n(t.routes, 0)} | ${n(t.corpus.objects, 0)} | ${mp(t.full.ms)} | ${mp(t.full.coldValidationMs)} | ${n(t.firstBuildMs, 0)} | ${n(ph.modelMs, 0)} / ${n(ph.translateMs, 0)} / ${n(ph.validateEncodeMs, 0)} (${n(ph.validateEncodeColdMs, 0)}) | ${n(t.memory.peakFullBuildsMiB)} MiB | ${mp(c.endpointslice.ms, 2)} | ${mp(c.ingressroute.ms)}${beside('ingressroute')} | ${mp(c.middleware.ms)}${beside('middleware')} | ${kib(c.endpointslice.encodedBytes.median)} / ${kib(c.ingressroute.encodedBytes.median)} / ${kib(c.middleware.encodedBytes.median)} | ${kib(t.snapshot.totalBytes)} | ${kib(t.snapshot.largestSotwResponse.bytes)} (${t.snapshot.largestSotwResponse.type}) |`);
    }
    out.push('');
    const refused = r.translation.map((t: any) => `${n(t.routes, 0)} routes: ${t.corpus.traefikServiceRoutes} routes use a TraefikService, ${t.diagnostics.traefikServiceRefused} refused; diagnostics ${Object.entries(t.diagnostics.bySeverity).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    out.push(`Corpus: ${refused.join('; ')}.`, '');
  }
  if (r.fanout.length) {
    out.push('## Fan-out (change → last ACK) and server memory', '');
    out.push('Per change kind: change → last ACK (debounce included); build (debounce end → publication); publication → last ACK; the floor\'s push → last ACK; ratio of publication → last ACK to the floor (and of debounce end → last ACK to the floor).', '');
    out.push('| routes | protocol | clients | RSS idle → connected (per client) | peak RSS connect / push | largest response | EndpointSlice: change → last ACK | build | publication → last ACK | floor | ratio | IngressRoute: change → last ACK | build | publication → last ACK | floor | ratio |');
    out.push('|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const ratio = (f: any) => (f ? `${n(f.ratioFromPublish, 2)} (${n(f.ratio, 2)})` : '–');
    for (const f of r.fanout) {
      const e = f.changes.endpointslice;
      const i = f.changes.ingressroute;
      const fe = f.floor?.endpointslice;
      const fi = f.floor?.ingressroute;
      out.push(`| ${n(f.routes, 0)} | ${f.protocol} | ${n(f.clients, 0)} | ${n(f.rss.idleMiB)} → ${n(f.rss.connectedMiB)} MiB (${n(f.rss.perClientKiB)} KiB) | ${n(f.rss.peakConnectMiB)} / ${n(f.rss.peakPushMiB)} MiB | ${kib(f.connect.maxResponseBytes)} | ${mp(e?.totalMs)} | ${n(e?.buildMs.median)} | ${mp(e?.fromPublishMs)} | ${mp(fe?.ms)} | ${ratio(fe)} | ${mp(i?.totalMs)} | ${n(i?.buildMs.median)} | ${mp(i?.fromPublishMs)} | ${mp(fi?.ms)} | ${ratio(fi)} |`);
    }
    out.push('');
  }
  if (r.targets?.length) {
    out.push('## Targets', '', '| target | measured | limit | |', '|---|---:|---:|---|');
    for (const t of r.targets) out.push(`| ${t.target} | ${n(t.value, 2)} ${t.unit}${t.p99 !== undefined ? ` (p99 ${n(t.p99, 2)})` : ''} | ${n(t.limit, 0)} ${t.unit} | ${t.met ? 'met' : '**missed**'} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
