import { ApiProperty } from '@nestjs/swagger';
import { UserView } from './user-views';

/** POST /auth/login. */
export class LoginResult {
  @ApiProperty({ type: String, description: 'JWT to send as `Authorization: Bearer <accessToken>`' })
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ type: Number, description: 'Seconds until the token expires' })
  expiresIn: number;

  @ApiProperty({ type: () => UserView })
  user: UserView;
}
