import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { channelBody, mergeRulePatch, previewBody, ruleBody, rulePatch } from '../../../lib/api/alert-schemas';
import { handleApiError } from '../../../lib/http/handle-api-error';

async function errorOf(run: () => unknown): Promise<{ status: number; error: string }> {
  try {
    run();
  } catch (error) {
    const response = handleApiError(error);
    return { status: response.status, error: ((await response.json()) as { error: string }).error };
  }
  throw new Error('expected a validation error');
}

const flapping = { name: 'flap', kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } };

describe('rule bodies', () => {
  it('fill in defaults', () => {
    expect(ruleBody.parse(flapping)).toEqual({
      ...flapping,
      enabled: true,
      clusterPattern: '*',
      namespacePattern: '*',
      namePattern: '*',
      excludePatterns: [],
      forSeconds: 0,
      quietSeconds: 300,
      runbookUrl: null,
      groupBy: ['cluster'],
      groupWaitSeconds: 10,
      groupIntervalSeconds: 300,
      repeatIntervalSeconds: 14_400,
      channelIds: [],
    });
    expect(ruleBody.parse({ name: 'r', kind: 'renew_latency', params: { windowSeconds: 600, percentOfLeaseDuration: 60 } }).params).toEqual({ windowSeconds: 600, percentOfLeaseDuration: 60, minSamples: 5 });
  });

  it('take group_interval and repeat_interval in seconds, 0 allowed, refusing the rest with the field named', () => {
    expect(ruleBody.parse({ ...flapping, groupIntervalSeconds: 0, repeatIntervalSeconds: 0 })).toMatchObject({ groupIntervalSeconds: 0, repeatIntervalSeconds: 0 });
    expect(() => ruleBody.parse({ ...flapping, groupIntervalSeconds: -1 })).toThrow('groupIntervalSeconds must be a whole number from 0 to 86400');
    expect(() => ruleBody.parse({ ...flapping, repeatIntervalSeconds: 1.5 })).toThrow('repeatIntervalSeconds must be a whole number from 0 to 604800');
  });

  it('default the quiet period by kind: a leaderless period that ended is over', () => {
    expect(ruleBody.parse({ name: 'l', kind: 'leaderless', params: { seconds: 5 } }).quietSeconds).toBe(0);
    expect(ruleBody.parse({ name: 's', kind: 'stale_data', params: { seconds: 60 } }).quietSeconds).toBe(0);
    expect(ruleBody.parse(flapping).quietSeconds).toBe(300);
    expect(ruleBody.parse({ ...flapping, quietSeconds: 45 }).quietSeconds).toBe(45);
  });

  it('take a runbook URL, http(s) only', () => {
    expect(ruleBody.parse({ ...flapping, runbookUrl: 'https://wiki.example.com/runbooks/flapping' }).runbookUrl).toBe('https://wiki.example.com/runbooks/flapping');
    expect(() => ruleBody.parse({ ...flapping, runbookUrl: 'javascript:alert(1)' })).toThrow(/runbookUrl must be an http\(s\) URL/);
  });

  it.each([
    [{ ...flapping, kind: 'sometimes' }, /^invalid kind: kind must be one of flapping, leaderless, renew_latency, stale_data, heartbeat_gap, slo_burn$/],
    [{ ...flapping, params: undefined }, /^invalid params: params must be an object, e.g. \{"transitions": 3/],
    [{ ...flapping, params: { transitions: 0, windowSeconds: 600 } }, /^invalid params.transitions: transitions must be a whole number from 1 to 1000$/],
    [{ ...flapping, params: { transitions: 3, windowSeconds: 600, extra: 1 } }, /^invalid params: .*extra/],
    [{ ...flapping, name: '  ' }, /^invalid name: name must not be empty$/],
    [{ ...flapping, quietSeconds: -1 }, /^invalid quietSeconds: quietSeconds must be a whole number from 0 to 86400$/],
    [{ ...flapping, excludePatterns: ['prod//x'] }, /^invalid excludePatterns.0: must be cluster, cluster\/namespace/],
    [{ ...flapping, clusterPattern: 'prod eu' }, /^invalid clusterPattern: must not contain spaces$/],
    [{ ...flapping, colour: 'red' }, /colour/],
    [{ name: 'x', kind: 'leaderless', params: { seconds: 1.5 } }, /^invalid params.seconds: seconds must be a whole number/],
  ])('reject %j with a clear 400', async (body, message) => {
    const { status, error } = await errorOf(() => ruleBody.parse(body));
    expect(status).toBe(400);
    expect(error).toMatch(message);
  });

  it('merge a patch over the stored rule, replacing params whole', () => {
    const stored = { ...ruleBody.parse(flapping), params: { transitions: 3, windowSeconds: 600 } };
    expect(ruleBody.parse(mergeRulePatch(stored, rulePatch.parse({ enabled: false })))).toMatchObject({ enabled: false, params: { transitions: 3, windowSeconds: 600 } });
    expect(ruleBody.parse(mergeRulePatch(stored, rulePatch.parse({ kind: 'leaderless', params: { seconds: 30 } })))).toMatchObject({ kind: 'leaderless', params: { seconds: 30 } });
    expect(() => mergeRulePatch(stored, rulePatch.parse({ kind: 'leaderless' }))).toThrow(ZodError);
  });

  it('preview accepts the form as it is, with a range in hours', () => {
    expect(previewBody.parse({ ...flapping, name: '', channelIds: [1] }).hours).toBe(24);
  });
});

describe('channel bodies', () => {
  it('need a long enough secret for webhooks', async () => {
    expect((await errorOf(() => channelBody.parse({ name: 'w', kind: 'webhook', config: { url: 'http://127.0.0.1:9/x', secret: 'short' } }))).error).toBe('invalid config.secret: secret must be at least 16 characters');
  });

  it('need an http(s) URL', async () => {
    expect((await errorOf(() => channelBody.parse({ name: 's', kind: 'slack', config: { url: 'ftp://example.com' } }))).error).toMatch(/^invalid config.url: url must be an http:\/\/ or https:\/\/ URL/);
  });

  it('check Alertmanager label names', async () => {
    expect((await errorOf(() => channelBody.parse({ name: 'am', kind: 'alertmanager', config: { url: 'http://127.0.0.1:9093', labels: { 'bad-name': 'x' } } }))).error).toMatch(/label names must match/);
  });
});
