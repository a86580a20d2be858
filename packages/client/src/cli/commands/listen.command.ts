import { createServer } from 'node:http';
import { Webhook } from 'svix';
import { required, UsageError, type Command } from '../command.js';

// A local receiver for trying Dispatch out: prints every request it gets and whether its signature
// verifies with the endpoint's secret (the official svix verifier, as a real receiver would use).

function verify(secret: string, headers: Record<string, string | string[] | undefined>, body: string): string {
  try {
    new Webhook(secret).verify(body, {
      'webhook-id': String(headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(headers['webhook-signature'] ?? ''),
    });
    return 'signature verified';
  } catch (error) {
    return `SIGNATURE INVALID (${(error as Error).message})`;
  }
}

export const listenCommand: Command = {
  name: 'listen',
  usage: '--port 4000 --secret whsec_… [--status 200]',
  summary: 'Run a local receiver that prints each request and whether its signature verifies (--status: what it answers)',
  options: { port: { type: 'string' }, secret: { type: 'string' }, status: { type: 'string' }, host: { type: 'string' } },
  async run(ctx, { values }) {
    const port = Number(required(values, 'port'));
    const secret = required(values, 'secret');
    const status = values.status ? Number(values.status) : 200;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port: a port number');
    if (!Number.isInteger(status) || status < 200 || status > 599) throw new UsageError('--status: an HTTP status (200-599)');
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const verdict = verify(secret, req.headers, body);
        const record = { at: new Date().toISOString(), method: req.method, path: req.url, webhookId: req.headers['webhook-id'], verified: verdict === 'signature verified', verdict, body };
        if (ctx.json) ctx.out.write(`${JSON.stringify(record)}\n`);
        else {
          let pretty = body;
          try {
            pretty = JSON.stringify(JSON.parse(body), null, 2);
          } catch {
            // not JSON: printed as received
          }
          ctx.out.write(`\n${record.at}  ${req.method} ${req.url}  webhook-id ${record.webhookId ?? '-'}  ${verdict}  -> ${status}\n${pretty}\n`);
        }
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'failing on purpose (dispatch listen --status)');
      });
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    ctx.note(`listening on http://${host}:${bound}/ (answering ${status}); Ctrl-C to stop`);
    await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
    server.close();
  },
};
