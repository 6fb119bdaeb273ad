import { parseQuery } from '@/lib/api/query';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { onDrain } from '@/lib/server/lifecycle';
import { subscribeToChanges, type ChangeEvent } from '@/lib/store/changes';
import { liveHeartbeatMs } from '@/lib/ui/live-protocol';

export const dynamic = 'force-dynamic';

// One server-sent-events stream of change notices; the browser refetches what a notice names.
export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  parseQuery(request, noQuery);
  const encoder = new TextEncoder();
  let unsubscribe = () => {};
  let stopDrainWatch = () => {};
  let heartbeat: NodeJS.Timeout | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      const close = () => {
        clearInterval(heartbeat);
        unsubscribe();
        stopDrainWatch();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      send('retry: 2000\n: connected\n\n');
      unsubscribe = subscribeToChanges((event: ChangeEvent) => send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
      // A named event, not a comment: the browser sees it, so "Live" means something still arrives.
      const beat = () => send(`event: heartbeat\ndata: {"at":${Date.now()}}\n\n`);
      beat();
      heartbeat = setInterval(beat, liveHeartbeatMs);
      request.signal.addEventListener('abort', close, { once: true });
      // On shutdown the browser is told to come back (to another replica) in a second, then the stream ends.
      stopDrainWatch = onDrain(() => {
        send('retry: 1000\nevent: reconnect\ndata: {"reason":"server shutting down"}\n\n');
        close();
      });
    },
    cancel() {
      clearInterval(heartbeat);
      unsubscribe();
      stopDrainWatch();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
});
