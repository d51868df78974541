import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig } from './auth.config';
import { AuthService } from './auth.service';
import { DemoUsersSeeder } from './demo-users.seeder';
import { GlobalAuthGuard } from './auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { PasswordService } from './password.service';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';
import { LoginFailuresRepository } from './login-failures.repository';
import { UsersService } from './users.service';

@Module({
  imports: [
    ConfigModule.forFeature(authConfig),
    TypeOrmModule.forFeature([UserEntity]),
    PassportModule,
    JwtModule.registerAsync({
      imports: [ConfigModule.forFeature(authConfig)],
      inject: [authConfig.KEY],
      useFactory: (c: ConfigType<typeof authConfig>) => ({
        secret: c.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: c.jwtTtlSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: [
    AuthService,
    UsersService,
    UsersRepository,
    LoginFailuresRepository,
    PasswordService,
    JwtStrategy,
    DemoUsersSeeder,
    { provide: APP_GUARD, useClass: GlobalAuthGuard },
  ],
  exports: [AuthService, UsersService, DemoUsersSeeder],
})
export class AuthModule {}
