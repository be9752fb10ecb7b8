// A reverse proxy on 127.0.0.1 that adds the cross-origin isolation headers (COOP, COEP, CORP) to every
// response of a code-server, so that the workbench page, its web worker extension host and the workers
// they start are crossOriginIsolated and have SharedArrayBuffer (as vscode.dev is when it is isolated).
// code-server sends no such headers. WebSockets (the remote connection) pass through untouched.
import http from 'node:http';
import net from 'node:net';
import { freePort } from './code-server.mjs';

const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'cross-origin',
};

/** Returns { url, port, close() }; `targetPort` is code-server's. */
export async function startCoiProxy(targetPort) {
  const port = await freePort();
  const sockets = new Set();
  const server = http.createServer((request, response) => {
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: request.method, path: request.url, headers: { ...request.headers, host: `127.0.0.1:${port}` } },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, { ...reply.headers, ...ISOLATION_HEADERS });
        reply.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502);
      response.end(String(error));
    });
    request.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request, socket, head) => {
    const upstream = net.connect(targetPort, '127.0.0.1', () => {
      const headers = Object.entries(request.headers).map(([key, value]) => `${key}: ${value}`).join('\r\n');
      upstream.write(`${request.method} ${request.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head?.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
