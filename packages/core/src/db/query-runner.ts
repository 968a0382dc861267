/**
 * Anything that runs one parameterized query: a pg pool, a client inside a transaction, or a module's own narrow
 * type of them. The services modules call take this, so a module needs no `pg` types.
 */
export interface QueryRunner {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>
}
