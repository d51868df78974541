import { ApiHideProperty } from '@nestjs/swagger';
import { IsEmpty } from 'class-validator';

/**
 * The body of an action that takes no input (claim, verify): `{}` or nothing. Binding it makes the
 * global ValidationPipe refuse any field a client sends, by name, instead of ignoring it.
 */
export class EmptyBodyDto {
  /** Declared only so that class-validator knows the class (forbidUnknownValues); never accepted with a value. */
  @ApiHideProperty()
  @IsEmpty({ message: 'this request takes no fields' })
  readonly none?: undefined;
}
