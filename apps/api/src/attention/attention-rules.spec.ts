import { DENIED_SPIKE_MIN, isDeniedSpike, nearSlaWindowMs } from './attention-rules';

const DAY = 24 * 3600 * 1000;

describe('attention rules', () => {
  it('flags a denied spike from the minimum on, against a quiet week', () => {
    expect(isDeniedSpike(DENIED_SPIKE_MIN - 1, 0)).toBe(false);
    expect(isDeniedSpike(DENIED_SPIKE_MIN, 0)).toBe(true);
  });

  it('does not flag an actor whose usual day has as many refusals', () => {
    // 7 days x 10 a day: the average is 10; 29 is below 3x, 30 reaches it
    expect(isDeniedSpike(29, 70)).toBe(false);
    expect(isDeniedSpike(30, 70)).toBe(true);
  });

  it('calls a packet near its SLA within the last fifth of it, at least a day', () => {
    expect(nearSlaWindowMs(30)).toBe(6 * DAY);
    expect(nearSlaWindowMs(7)).toBe(2 * DAY);
    expect(nearSlaWindowMs(1)).toBe(1 * DAY);
  });
});
