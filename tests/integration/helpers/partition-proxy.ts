import net from 'node:net';

export type PartitionProxy = { url: string; partition: () => void; heal: () => void; close: () => Promise<void> };

// A TCP proxy in front of an API server that a test can cut: existing connections are destroyed and
// new ones refused until healed, while everything else keeps talking to the server directly.
export async function startPartitionProxy(upstreamUrl: string): Promise<PartitionProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<net.Socket>();
  let isPartitioned = false;
  const server = net.createServer((client) => {
    if (isPartitioned) return client.destroy();
    const remote = net.connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, remote]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(remote).pipe(client);
    client.on('close', () => remote.destroy());
    remote.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    partition: () => {
      isPartitioned = true;
      for (const socket of sockets) socket.destroy();
    },
    heal: () => {
      isPartitioned = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
