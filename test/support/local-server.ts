// An HTTP server on a free loopback port for the API doubles: a handler that throws is a violation
// of the double itself (answered 500), never an unhandled rejection.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listenLocal(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, violations: string[]): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      violations.push(`double crashed: ${String(e)}`);
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
