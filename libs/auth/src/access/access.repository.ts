import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '@app/common';
import { ACCESS_TABLE, AccessKind, scopeSql, SqlParams } from './access';

/**
 * Checks by id against THE access rule (access.ts): of the ids asked about, the ones the caller reaches, in one
 * set-returning query. The services load the row themselves (to tell a missing id from one out of scope) and ask
 * here whether the caller may have it.
 */
@Injectable()
export class AccessRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Of `ids`, those of `kind` the caller reaches (missing ids are simply absent). With `em`, in that transaction. */
  async check(auth: AuthUser, kind: AccessKind, ids: Iterable<string>, em?: EntityManager): Promise<Set<string>> {
    const list = [...new Set(ids)];
    if (!list.length) return new Set();
    const p = new SqlParams([list]);
    const cond = scopeSql(auth, kind, 'x', p.bind);
    if (cond === 'false') return new Set();
    const rows: { id: string }[] = await (em ?? this.ds).query(
      `SELECT x.id FROM ${ACCESS_TABLE[kind]} x WHERE x.id = ANY($1::uuid[]) AND ${cond}`,
      p.values,
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Whether the caller reaches this one id of `kind`. */
  async has(auth: AuthUser, kind: AccessKind, id: string, em?: EntityManager): Promise<boolean> {
    return (await this.check(auth, kind, [id], em)).has(id);
  }
}
