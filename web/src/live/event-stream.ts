// GET /api/v1/events over fetch (EventSource cannot send the bearer token): parses Server-Sent Events, resumes
// after a drop with Last-Event-ID so nothing in between is missed, and backs off while the server is away.
import { createParser } from 'eventsource-parser';
import { parseLiveEvent, type LiveEvent } from '../domain/live-events';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

export interface EventStreamOptions {
  url: string;
  token: () => Promise<string | undefined>;
  renew: () => Promise<string | undefined>;
  onEvent: (event: LiveEvent) => void;
  onStatus: (status: StreamStatus) => void;
  /** Waits before the n-th reconnection attempt. */
  backoffMs?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number) => Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));

export function openEventStream(options: EventStreamOptions): { close: () => void } {
  const backoff = options.backoffMs ?? defaultBackoff;
  let lastEventId: string | undefined;
  let closed = false;
  let controller: AbortController | undefined;
  let attempt = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        window.removeEventListener('online', done);
        resolve();
      }
      // Coming back online retries at once.
      window.addEventListener('online', done, { once: true });
    });

  async function connectOnce(): Promise<void> {
    controller = new AbortController();
    let token = await options.token();
    const request = () =>
      fetch(options.url, {
        headers: {
          Accept: 'text/event-stream',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
        },
        signal: controller?.signal,
        cache: 'no-store',
      });
    let response = await request();
    if (response.status === 401) {
      token = await options.renew();
      response = await request();
    }
    if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
    const parser = createParser({
      onEvent: (message) => {
        if (message.id) lastEventId = message.id;
        if (message.event === 'ready') {
          attempt = 0;
          options.onStatus('live');
          return;
        }
        const event = parseLiveEvent(message.event ?? 'message', message.data);
        if (event) options.onEvent(event);
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  }

  async function run(): Promise<void> {
    options.onStatus('connecting');
    while (!closed) {
      if (!navigator.onLine) {
        options.onStatus('offline');
        await sleep(60_000);
        continue;
      }
      try {
        await connectOnce();
      } catch {
        // dropped, refused or aborted: fall through to a reconnect unless closed
      }
      if (closed) break;
      options.onStatus('reconnecting');
      await sleep(backoff(attempt));
      attempt += 1;
    }
    options.onStatus('closed');
  }

  void run();
  return {
    close: () => {
      closed = true;
      controller?.abort();
    },
  };
}
