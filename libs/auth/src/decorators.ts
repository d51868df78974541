import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { AuditAction } from '@app/audit';
import type { AuthUser } from '@app/common';
import { Permission } from './permissions';

export const IS_PUBLIC = 'ion:public';
export const REQUIRED_PERMISSION = 'ion:permission';
/** Marker for routes open to any authenticated user. */
export const ANY_AUTHENTICATED = 'any-authenticated';

/** Open to anyone, no token. Every other route requires authentication. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const AUDIT_REFUSALS_AS = 'ion:audit-refusals-as';
/**
 * A public route whose refused requests (e.g. a login body that fails validation) are audited as a FAILED
 * `action` by the exception filter, as the failures of an authenticated route are under its permission.
 */
export const AuditRefusalsAs = (action: AuditAction) => SetMetadata(AUDIT_REFUSALS_AS, action);

export const ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED = 'ion:allowed-while-password-change-required';
/**
 * The routes an account whose password an administrator reset may use before setting a new one
 * (POST /auth/password, POST /auth/logout). Every other authenticated route answers 403 AUTH.PASSWORD_CHANGE_REQUIRED to it.
 */
export const AllowedWhilePasswordChangeRequired = () => SetMetadata(ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED, true);

/** Requires a token and, when given, a permission of the caller's role. */
export const Authorize = (permission?: Permission) =>
  applyDecorators(SetMetadata(REQUIRED_PERMISSION, permission ?? ANY_AUTHENTICATED), ApiBearerAuth());

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest<{ user: AuthUser }>().user;
});
