import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import {
  AuthUser,
  DependencyUnavailableError,
  DomainError,
  ForbiddenError,
  PasswordChangeRequiredError,
  RequestContext,
  UnauthenticatedError,
} from '@app/common';
import { isDatabaseUnavailable } from '@app/database';
import {
  ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED,
  ANY_AUTHENTICATED,
  AUDIT_REFUSALS_AS,
  IS_PUBLIC,
  REQUIRED_PERMISSION,
} from './decorators';
import { mustChangePassword } from './jwt.strategy';
import { Permission, roleHas } from './permissions';

interface GuardedRequest {
  user?: AuthUser;
  ctx?: RequestContext;
}

/**
 * The one global guard: routes are closed unless @Public(); a route without @Authorize is
 * refused (fail closed). Role permissions come from the one table in permissions.ts; object
 * scope is the services' job.
 */
@Injectable()
export class GlobalAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(GlobalAuthGuard.name);

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) {
      const auditAs = this.reflector.getAllAndOverride<string | undefined>(AUDIT_REFUSALS_AS, targets);
      if (req.ctx && auditAs) req.ctx.auditAction = auditAs;
      return true;
    }
    const required = this.reflector.getAllAndOverride<Permission | typeof ANY_AUTHENTICATED>(
      REQUIRED_PERMISSION,
      targets,
    );
    if (req.ctx && required && required !== ANY_AUTHENTICATED) req.ctx.permission = required;

    await super.canActivate(context);
    const user = req.user!;
    if (req.ctx) req.ctx.actor = user;

    if (!required) {
      this.logger.error(
        `Route ${context.getClass().name}.${context.getHandler().name} has neither @Public nor @Authorize; refused.`,
      );
      throw new ForbiddenError('This route is not open to any role.');
    }
    // An administrator reset the password (which ended the tokens of before): the token signed in with the temporary
    // password serves only the password change (and signing out) until then.
    if (
      mustChangePassword(user) &&
      !this.reflector.getAllAndOverride<boolean>(ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED, targets)
    ) {
      throw new PasswordChangeRequiredError();
    }
    if (required !== ANY_AUTHENTICATED && !roleHas(user.role, required)) {
      throw new ForbiddenError(`Role ${user.role} may not ${required}.`);
    }
    return true;
  }

  override handleRequest<TUser = AuthUser>(err: unknown, user: TUser | false, info: unknown): TUser {
    if (err instanceof UnauthenticatedError) throw err;
    if (err && isDatabaseUnavailable(err)) throw new DependencyUnavailableError('database', err);
    if (err && !(err instanceof DomainError)) throw err; // a fault, not a bad token: 500 with a request id
    if (err || !user) {
      const reason = info instanceof Error ? info.message : '';
      if (/expired/i.test(reason)) throw new UnauthenticatedError('The access token has expired; log in again.');
      if (/no auth token/i.test(reason) || !reason)
        throw new UnauthenticatedError('A bearer access token is required.');
      throw new UnauthenticatedError('The access token is invalid.');
    }
    return user;
  }
}
