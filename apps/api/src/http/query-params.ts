import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { FieldError, ValidationError } from '@app/common';

const ACCEPTS_QUERY = 'ion:acceptsQuery';

/**
 * For a handler that reads the raw request's query string itself (the evidence upload): the
 * parameter names it takes. Any other name is refused before the handler runs.
 */
export const AcceptsQuery = (...names: readonly string[]) => SetMetadata(ACCEPTS_QUERY, names);

/** What a route takes: 'dto' when a @Query() DTO validates the whole query (unknown names refused there), else the names. */
type Accepted = 'dto' | ReadonlySet<string>;

/**
 * ONE rule for query parameters on every route: a route takes only the parameters it declares. A
 * @Query() DTO declares them (the ValidationPipe refuses unknown ones), as do @Query('name') and
 * @AcceptsQuery(...); a route with none of these takes no query at all. An undeclared parameter is a
 * 400 naming it, thrown after the guard, so it is audited like any validation failure, instead of
 * being ignored on some routes and refused on others.
 */
@Injectable()
export class QueryParamsInterceptor implements NestInterceptor {
  private readonly accepted = new WeakMap<object, Accepted>();

  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const names = Object.keys(context.switchToHttp().getRequest<Request>().query ?? {});
    if (names.length) {
      const accepted = this.acceptedBy(context);
      if (accepted !== 'dto') {
        const unknown = names.filter((n) => !accepted.has(n));
        if (unknown.length) throw unknownParameters(unknown, accepted);
      }
    }
    return next.handle();
  }

  private acceptedBy(context: ExecutionContext): Accepted {
    const handler = context.getHandler();
    const cached = this.accepted.get(handler);
    if (cached) return cached;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<
      string,
      { data?: unknown }
    >;
    const queryArgs = Object.entries(args)
      .filter(([key]) => key.split(':')[0] === String(RouteParamtypes.QUERY))
      .map(([, v]) => v.data);
    const names = new Set<string>(this.reflector.get<readonly string[] | undefined>(ACCEPTS_QUERY, handler) ?? []);
    for (const data of queryArgs) if (typeof data === 'string') names.add(data);
    const accepted: Accepted = queryArgs.some((data) => data === undefined) ? 'dto' : names;
    this.accepted.set(handler, accepted);
    return accepted;
  }
}

function unknownParameters(unknown: string[], accepted: ReadonlySet<string>): ValidationError {
  const takes = accepted.size ? `it takes only ${[...accepted].join(', ')}` : 'this route takes none';
  const fields: FieldError[] = unknown.map((n) => ({
    field: n,
    errors: [`${n} is not an accepted query parameter`],
    constraints: ['whitelistValidation'],
  }));
  return new ValidationError(`Unknown query parameter(s): ${unknown.join(', ')} (${takes}).`, fields);
}
