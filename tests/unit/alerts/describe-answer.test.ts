import { describe, expect, it } from 'vitest';
import { describeAnswer } from '../../../lib/alerts/notifiers/http';

describe('what a failed delivery keeps of the receiver answer', () => {
  it('keeps the status and the reason phrase only', () => {
    expect(describeAnswer(500, 'Internal Server Error')).toBe('HTTP 500 Internal Server Error');
    expect(describeAnswer(404, undefined)).toBe('HTTP 404');
    expect(describeAnswer(418, '')).toBe('HTTP 418');
  });

  it('strips control and non-ASCII characters and cuts a long reason', () => {
    expect(describeAnswer(502, 'Bad\r\nSet-Cookie: x=1\u0000\u00e9')).toBe('HTTP 502 BadSet-Cookie: x=1');
    expect(describeAnswer(400, 'x'.repeat(500))).toBe(`HTTP 400 ${'x'.repeat(60)}`);
  });
});
