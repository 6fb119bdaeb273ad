import http from 'node:http';
import https from 'node:https';
import { isRetryableStatus, type DeliveryOutcome } from '../backoff';
import { createGuardedLookup, hostnameRefusal, normalizeHostname, TargetRefusedError, type TargetPolicy } from '../target-guard';
import type { SendContext } from './types';

const maxErrorBody = 512;

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

// POST through node:http with the guarded lookup, no redirects followed (a 3xx is an answer, not an
// invitation to go elsewhere), a hard timeout, and at most a snippet of the answer kept for the UI.
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
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < maxErrorBody) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return settle({ ok: true, status });
          const text = Buffer.concat(chunks).toString('utf8').slice(0, maxErrorBody).trim();
          settle({ ok: false, error: `HTTP ${status}${text ? `: ${text}` : ''}`, isRetryable: isRetryableStatus(status) });
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
