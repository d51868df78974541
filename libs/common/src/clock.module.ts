import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';

/**
 * Provides the one `Clock` every service reads the time from. Global (imported once, by the root module)
 * because every layer needs the time and none of them owns it. Tests move time by spying on
 * `Clock.prototype.now` or by taking the instance with `app.get(Clock)`.
 */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
