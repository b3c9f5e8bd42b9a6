// The admin API the dashboard reads (src/admin/api-model.ts), and live change notifications.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export class NotFound extends Error {}

export async function get(path: string): Promise<Json> {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  if (r.status === 404) throw new NotFound(((await r.json().catch(() => ({}))) as Json).error ?? `not found: ${path}`);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return (await r.json()) as Json;
}

/**
 * Calls `onChange` when the snapshot or a client changes: server-sent events from /api/events, or polling
 * every 5 s when the event stream is unavailable. `onState` tells whether updates are live.
 */
export function subscribe(onChange: () => void, onState: (state: 'live' | 'polling') => void): void {
  let timer: number | undefined;
  const poll = () => {
    if (timer !== undefined) return;
    onState('polling');
    timer = window.setInterval(onChange, 5000);
  };
  if (typeof EventSource === 'undefined') return poll();
  const es = new EventSource('/api/events');
  es.addEventListener('hello', () => {
    if (timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
      onChange(); // catch up on what happened while disconnected
    }
    onState('live');
  });
  es.addEventListener('change', () => onChange());
  es.onerror = () => poll();
}
