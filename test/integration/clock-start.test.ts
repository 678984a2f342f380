/** RECOURSE_CLOCK_START: the clock starts at the instant given and runs on in real time; anything else is refused naming the variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { clockStartingAt, todayIn, type Clock } from '../../src/kernel/clock.ts';

const env = (extra: Record<string, string>) => ({ RECOURSE_DATA_DIR: '/tmp/recourse-config-test', RECOURSE_PII_KEY: Buffer.alloc(32, 1).toString('base64'), ...extra });

describe('RECOURSE_CLOCK_START', () => {
  it('is unset by default, an instant with an offset when set, refused otherwise', () => {
    expect(loadConfig(env({})).clockStart).toBeNull();
    expect(loadConfig(env({ RECOURSE_CLOCK_START: '2026-06-30T10:00:00+08:00' })).clockStart).toEqual(new Date('2026-06-30T02:00:00Z'));
    for (const bad of ['2026-06-30', '2026-06-30T10:00:00', 'tomorrow', '2026-02-30T10:00:00Z']) {
      expect(() => loadConfig(env({ RECOURSE_CLOCK_START: bad })), bad).toThrow(ConfigError);
      expect(() => loadConfig(env({ RECOURSE_CLOCK_START: bad }))).toThrow(/RECOURSE_CLOCK_START/);
    }
  });

  it('starts the clock there and lets it run at the real pace', () => {
    let real = Date.parse('2026-12-01T13:00:00Z');
    const realClock: Clock = { now: () => new Date(real) };
    const clock = clockStartingAt(new Date('2026-12-02T02:00:00Z'), realClock);
    expect(clock.now().toISOString()).toBe('2026-12-02T02:00:00.000Z');
    real += 90_000;
    expect(clock.now().toISOString()).toBe('2026-12-02T02:01:30.000Z');
    expect(todayIn(clock, 'Asia/Shanghai')).toBe(todayIn({ now: () => new Date('2026-12-02T10:01:30+08:00') }, 'Asia/Shanghai'));
  });
});
