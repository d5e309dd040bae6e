/**
 * A unique key refused a row (another writer got there first). The store maps each engine's own error code to
 * this, so services can tell a lost race from a fault without knowing the engine.
 * Example: `catch (e) { if (e instanceof UniqueViolation && e.table === 'dialog_sessions') … }`.
 */
export class UniqueViolation extends Error {
  readonly code = 'store:unique_violation';
  constructor(
    readonly table: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`unique key refused a row${table ? ` in ${table}` : ''}`, options);
    this.name = 'UniqueViolation';
  }
}
