import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Clock } from './clock';
import { ClockModule } from './clock.module';

/** A feature module that reads the time but does not import ClockModule (as every library module). */
@Injectable()
class NeedsTime {
  constructor(@Inject(Clock) readonly clock: Clock) {}
}

@Module({ providers: [NeedsTime], exports: [NeedsTime] })
class FeatureModule {}

describe('ClockModule', () => {
  it('gives every module the one Clock without their importing it, so moving it in a test moves it everywhere', async () => {
    const ref = await Test.createTestingModule({ imports: [ClockModule, FeatureModule] }).compile();
    const clock = ref.get(Clock);
    expect(clock).toBeInstanceOf(Clock);
    expect(ref.get(NeedsTime).clock).toBe(clock);

    const later = new Date('2030-01-01T00:00:00Z');
    jest.spyOn(clock, 'now').mockReturnValue(later);
    expect(ref.get(NeedsTime).clock.now()).toBe(later);
    await ref.close();
  });

  it('is the only provider of Clock: without it a module that reads the time does not start', async () => {
    await expect(Test.createTestingModule({ imports: [FeatureModule] }).compile()).rejects.toThrow(/Clock/);
  });
});
