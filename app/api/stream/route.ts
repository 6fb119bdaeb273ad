import { parseQuery } from '@/lib/api/query';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { subscribeToChanges, type ChangeEvent } from '@/lib/store/changes';

export const dynamic = 'force-dynamic';

const heartbeatMs = 15_000;

// One server-sent-events stream of change notices; the browser refetches what a notice names.
export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  parseQuery(request, noQuery);
  const encoder = new TextEncoder();
  let unsubscribe = () => {};
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
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      send('retry: 2000\n: connected\n\n');
      unsubscribe = subscribeToChanges((event: ChangeEvent) => send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
      heartbeat = setInterval(() => send(': keep-alive\n\n'), heartbeatMs);
      request.signal.addEventListener('abort', close, { once: true });
    },
    cancel() {
      clearInterval(heartbeat);
      unsubscribe();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
});
