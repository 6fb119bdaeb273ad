import http from 'node:http';
import https from 'node:https';
import { isRetryableStatus, type DeliveryOutcome } from '../backoff';
import { createGuardedLookup, hostnameRefusal, normalizeHostname, TargetRefusedError, type TargetPolicy } from '../target-guard';
import type { SendContext } from './types';

const maxReasonLength = 60;

// What a receiver says is never passed on (that would make Leasetrail a way to read internal
// services); only its status and a short reason phrase, printable ASCII, survive.
export function describeAnswer(status: number, reasonPhrase: string | undefined): string {
  const reason = (reasonPhrase ?? '')
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, maxReasonLength);
  return `HTTP ${status}${reason ? ` ${reason}` : ''}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

// POST through node:http with the guarded lookup, no redirects followed (a 3xx is an answer, not an
// invitation to go elsewhere), a hard timeout, and the body of the answer discarded.
export function postJson(url: URL, body: string, headers: Record<string, string>, policy: TargetPolicy, context: SendContext): Promise<DeliveryOutcome> {
  if (!policy.allowPrivateTargets) {
    const refusal = hostnameRefusal(url.hostname);
    if (refusal) return Promise.resolve({ ok: false, error: new TargetRefusedError(`refusing to send to ${normalizeHostname(url.hostname)}: ${refusal}`).message, isRetryable: false });
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<DeliveryOutcome>((resolve) => {
    let isSettled = false;
    const settle = (outcome: DeliveryOutcome) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      context.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
        lookup: createGuardedLookup({ ...policy, resolve: policy.resolve ?? context.resolve }),
        agent: false,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return settle({ ok: true, status });
          settle({ ok: false, error: describeAnswer(status, response.statusMessage), isRetryable: isRetryableStatus(status) });
        });
        response.on('error', (error) => settle({ ok: false, error: describeError(error), isRetryable: true }));
      },
    );
    const timer = setTimeout(() => {
      settle({ ok: false, error: `no answer within ${context.timeoutMs} ms`, isRetryable: true });
      request.destroy();
    }, context.timeoutMs);
    const onAbort = () => {
      settle({ ok: false, error: 'delivery aborted: Leasetrail is stopping', isRetryable: true });
      request.destroy();
    };
    context.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => settle({ ok: false, error: describeError(error), isRetryable: !(error instanceof TargetRefusedError) }));
    request.end(body);
  });
}
