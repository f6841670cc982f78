-- Trigram similarity for typo-tolerant product search; PGlite loads it from @electric-sql/pglite/contrib/pg_trgm (platform/db/client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
