// A minimal Server-Sent Events reader over fetch, for tests: collects frames as they arrive.

export interface SseFrame {
  id?: string;
  event: string;
  data: string;
  receivedAt: number;
}

export class SseClient {
  readonly frames: SseFrame[] = [];
  /** Comment-only blocks (": heartbeat"). */
  heartbeats = 0;
  status = 0;
  contentType = '';
  private readonly controller = new AbortController();
  private waiters: Array<() => void> = [];
  private done: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {}

  async open(): Promise<this> {
    const response = await fetch(this.url, {
      headers: { accept: 'text/event-stream', ...this.headers },
      signal: this.controller.signal,
    });
    this.status = response.status;
    this.contentType = response.headers.get('content-type') ?? '';
    if (!response.body) return this;
    this.done = this.read(response.body).catch(() => undefined);
    return this;
  }

  /** The frames other than the ready event and heartbeats. */
  events(): SseFrame[] {
    return this.frames.filter((f) => f.event !== 'ready');
  }

  /** Waits until a frame satisfies the predicate, at most timeoutMs. */
  async waitFor(predicate: (frame: SseFrame) => boolean, timeoutMs = 10_000): Promise<SseFrame> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      const left = until - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching SSE frame within ${timeoutMs} ms; got ${this.frames.map((f) => f.event).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.done;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.parse(block);
      }
    }
  }

  private parse(block: string): void {
    const frame: SseFrame = { event: 'message', data: '', receivedAt: Date.now() };
    let any = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const at = line.indexOf(':');
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') frame.data += frame.data ? `\n${value}` : value;
      else continue;
      any = true;
    }
    if (!any) {
      if (block.startsWith(':')) this.heartbeats++;
      return this.wake();
    }
    this.frames.push(frame);
    this.wake();
  }

  /** Waits until the server has sent a heartbeat comment. */
  async waitForHeartbeat(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.heartbeats === 0) {
      if (Date.now() > until) throw new Error(`no heartbeat within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, until - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
