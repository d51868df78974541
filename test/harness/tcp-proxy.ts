import { createServer, Server, Socket, connect } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes from the target not forwarded (held by a stall). */
  held: Buffer[];
}

/**
 * A loopback TCP proxy in front of PostgreSQL or storage. `cut()` closes the listener and resets
 * every open connection, which is what the API sees when its database or storage goes away;
 * `restore()` listens again on the same port.
 *
 * It can also stall: `stallDownstreamAfter(n)` lets at most n more bytes through from the target,
 * then holds the rest, so the target's writes back up instead of draining into socket buffers. That
 * makes "storage stops after the first chunks of a download" deterministic: without it, tens of MB
 * (loopback buffers) pass before a cut lands. Held bytes are never forwarded: a stall ends with
 * `cut()`; `restore()` also lifts it.
 */
export class TcpProxy {
  port = 0;
  private server?: Server;
  private readonly pairs = new Set<Pair>();
  private allowance = Infinity;
  /** The head (request line and headers) of every HTTP request that passed, client to target, in order. */
  readonly requestHeads: string[] = [];

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    await this.listen(0);
    return this.port;
  }

  /** From now on, forward at most `bytes` more from the target (over all connections), then hold the rest. */
  stallDownstreamAfter(bytes: number): void {
    this.allowance = bytes;
  }

  /**
   * Ends a stall the way a stalled server that resumes does (a SIGCONT after a SIGSTOP): every held byte
   * is delivered, in order, and traffic flows freely again.
   */
  resumeDownstream(): void {
    this.allowance = Infinity;
    for (const p of this.pairs) {
      for (const d of p.held.splice(0)) p.client.write(d);
      p.upstream.resume();
    }
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Listens again on the same port (no-op while listening), with no stall. */
  async restore(): Promise<void> {
    this.allowance = Infinity;
    if (!this.server) await this.listen(this.port);
  }

  private forward(p: Pair, d: Buffer): void {
    if (p.held.length || this.allowance <= 0) {
      p.held.push(d);
      p.upstream.pause();
      return;
    }
    const n = Math.min(d.length, this.allowance);
    this.allowance -= n;
    if (n < d.length) {
      p.held.push(d.subarray(n));
      p.upstream.pause();
    }
    if (!p.client.write(d.subarray(0, n))) p.upstream.pause();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      const pair: Pair = { client, upstream, held: [] };
      this.pairs.add(pair);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
      client.on('data', (d: Buffer) => {
        // A request's head starts a chunk on a keep-alive connection (what the S3 client sends); bodies rarely begin so.
        if (/^(GET|PUT|POST|HEAD|DELETE) \S+ HTTP\/1\.1\r\n/.test(d.subarray(0, 2048).toString('latin1'))) {
          const text = d.subarray(0, 8192).toString('latin1');
          this.requestHeads.push(text.slice(0, text.indexOf('\r\n\r\n') >>> 0));
        }
        if (!upstream.write(d)) client.pause();
      });
      upstream.on('drain', () => client.resume());
      upstream.on('data', (d: Buffer) => this.forward(pair, d));
      client.on('drain', () => {
        if (!pair.held.length) upstream.resume();
      });
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : port;
        resolve();
      });
    });
  }
}

/** The same URL with host:port replaced by the proxy's. */
export function viaProxy(url: string, proxyPort: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxyPort);
  return u.toString();
}
