-- Careweave on a managed PostgreSQL (15+): one database, one schema and one
-- login role per service, so a service can neither read nor write another's
-- event log. Run as an administrator, then give each service its own
-- DATABASE_URL, e.g. postgres://homevisits:...@db.example:5432/careweave?sslmode=verify-full
-- The services create their tables themselves (embedded migrations, applied
-- at start-up under an advisory lock) inside the schema they own.

CREATE DATABASE careweave;
\connect careweave

REVOKE ALL ON SCHEMA public FROM PUBLIC;

DO $$
DECLARE
    svc text;
BEGIN
    FOREACH svc IN ARRAY ARRAY['homevisits', 'medreviews', 'carehomes', 'discharge', 'projections'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = svc) THEN
            -- Set the password out of band: ALTER ROLE <svc> PASSWORD '...';
            EXECUTE format('CREATE ROLE %I LOGIN', svc);
        END IF;
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, svc);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', svc);
        EXECUTE format('ALTER ROLE %I SET search_path = %I', svc, svc);
        -- Event logs are append-only even for their owner: the event store's
        -- migrations install triggers that refuse UPDATE, DELETE and TRUNCATE
        -- (kit/eventstore/migrations/002_append_only.sql).
    END LOOP;
END
$$;

-- Operators read everything, change nothing.
CREATE ROLE careweave_readonly NOLOGIN;
GRANT USAGE ON SCHEMA homevisits, medreviews, carehomes, discharge, projections TO careweave_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE homevisits IN SCHEMA homevisits GRANT SELECT ON TABLES TO careweave_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE medreviews IN SCHEMA medreviews GRANT SELECT ON TABLES TO careweave_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE carehomes IN SCHEMA carehomes GRANT SELECT ON TABLES TO careweave_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE discharge IN SCHEMA discharge GRANT SELECT ON TABLES TO careweave_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE projections IN SCHEMA projections GRANT SELECT ON TABLES TO careweave_readonly;
