import net from 'node:net';

export type PartitionProxy = { url: string; partition: () => void; freeze: () => void; heal: () => void; close: () => Promise<void> };

// A TCP proxy in front of an API server that a test can cut (connections destroyed, new ones refused)
// or freeze (every connection open at that moment, and every new one until healed, stays open but
// carries nothing ever again: a silent stall). Everything else talks to the server directly.
export async function startPartitionProxy(upstreamUrl: string): Promise<PartitionProxy> {
  const upstream = new URL(upstreamUrl);
  const sockets = new Set<net.Socket>();
  const stuck = new WeakSet<net.Socket>();
  let isPartitioned = false;
  let isFrozen = false;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    if (isPartitioned) return client.destroy();
    track(client);
    if (isFrozen) return stuck.add(client);
    const remote = net.connect(Number(upstream.port), upstream.hostname);
    track(remote);
    remote.on('data', (chunk) => {
      if (!stuck.has(client)) client.write(chunk);
    });
    client.on('data', (chunk) => {
      if (!stuck.has(client)) remote.write(chunk);
    });
    client.on('close', () => remote.destroy());
    remote.on('close', () => {
      if (!stuck.has(client)) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    partition: () => {
      isPartitioned = true;
      for (const socket of sockets) socket.destroy();
    },
    freeze: () => {
      isFrozen = true;
      for (const socket of sockets) stuck.add(socket);
    },
    heal: () => {
      isPartitioned = false;
      isFrozen = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
