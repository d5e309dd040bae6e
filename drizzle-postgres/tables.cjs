// drizzle-kit reads the PostgreSQL tables from this file's exports; they are mirrored from src/store/schema.
module.exports = require('../src/store/postgres/schema.ts').postgresTables;
