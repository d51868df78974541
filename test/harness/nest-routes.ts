import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { AUDIT_REFUSALS_AS, IS_PUBLIC, REQUIRED_PERMISSION } from '@app/auth';
import { API_PREFIX } from '../../apps/api/src/app.setup';

export interface RouteInfo {
  /** 'METHOD /api/v1/path/:id', as the authz matrix writes it. */
  route: string;
  method: string;
  path: string;
  isPublic: boolean;
  /** The permission the guard requires (the audit action of failed attempts); null for public routes. */
  permission: string | null;
  /**
   * The action a public route's refusals are audited as (@AuditRefusalsAs, e.g. auth.login); null when they are not:
   * an anonymous caller's refusal on a public route is logged, not chained (ApiExceptionFilter.recordAttempt).
   */
  auditRefusalsAs: string | null;
  /** The handler binds @Body() (whatever its type). */
  takesBody: boolean;
  /** The @Body() DTO class, if the handler takes a body typed by one (null for none, or an untyped body). */
  bodyType: (new () => object) | null;
  /** The handler reads the raw request (@Req(): an upload). */
  takesRequest: boolean;
  /** The handler documents the Tus-Resumable header: a tus 1.0.0 request (issue 18), read from the request itself. */
  tus: boolean;
  /** The @Query() DTO class, if the handler takes a query object. */
  queryType: (new () => object) | null;
}

/** Every controller route Nest knows (from its metadata, independent of Express), with its permission and what it takes. */
export function routeInfos(app: INestApplication): Map<string, RouteInfo> {
  const scanner = new MetadataScanner();
  const out = new Map<string, RouteInfo>();
  const asList = (v: string | string[] | undefined) => (Array.isArray(v) ? v : [v ?? '']);
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: unknown[]) => object) | null;
      if (!ctrl) continue;
      const proto = ctrl.prototype as Record<string, object>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, name) ?? {}) as Record<
          string,
          { index: number; data?: unknown }
        >;
        const types = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as (new () => object)[];
        const has = (kind: RouteParamtypes) => Object.keys(args).some((k) => k.split(':')[0] === String(kind));
        const argOf = (kind: RouteParamtypes) => {
          const entry = Object.entries(args).find(([k, v]) => k.split(':')[0] === String(kind) && v.data === undefined);
          const type = entry ? types[entry[1].index] : undefined;
          return type && type !== Object ? type : null;
        };
        const isPublic = Reflect.getMetadata(IS_PUBLIC, handler) === true;
        const tus = (
          (Reflect.getMetadata('swagger/apiParameters', handler) ?? []) as { in?: string; name?: string }[]
        ).some((p) => p.in === 'header' && p.name === 'Tus-Resumable');
        const permission = (Reflect.getMetadata(REQUIRED_PERMISSION, handler) as string | undefined) ?? null;
        const auditRefusalsAs = (Reflect.getMetadata(AUDIT_REFUSALS_AS, handler) as string | undefined) ?? null;
        for (const prefix of asList(Reflect.getMetadata(PATH_METADATA, ctrl))) {
          for (const p of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            const path = '/' + [API_PREFIX, prefix, p].join('/').split('/').filter(Boolean).join('/');
            const m = RequestMethod[method];
            out.set(`${m} ${path}`, {
              route: `${m} ${path}`,
              method: m,
              path,
              isPublic,
              permission: isPublic ? null : permission,
              auditRefusalsAs,
              takesBody: has(RouteParamtypes.BODY),
              bodyType: argOf(RouteParamtypes.BODY),
              takesRequest: has(RouteParamtypes.REQUEST),
              tus,
              queryType: argOf(RouteParamtypes.QUERY),
            });
          }
        }
      }
    }
  }
  return out;
}
