import { defineConfig } from 'drizzle-kit';

// PostgreSQL's migrations, written from the tables mirrored from src/store/schema (npm run db:generate writes
// both engines' migrations).
export default defineConfig({
  dialect: 'postgresql',
  schema: './drizzle-postgres/tables.cjs',
  out: './drizzle-postgres',
});
