-- Supabase compatibility layer. On Supabase everything here already exists and nothing is changed; on plain
-- PostgreSQL and PGlite it creates what Supabase provides: the API roles, the auth schema with auth.uid() /
-- auth.jwt() / auth.role() reading request.jwt.claims (the setting PostgREST sets per request), and the
-- extensions the schema uses where they are available.

-- Roles are cluster-wide: create each only if absent, tolerating a concurrent creator (two databases of the
-- same server migrating at once).
do $$
declare
  r record;
begin
  for r in select * from (values
      ('anon', 'nologin noinherit'),
      ('authenticated', 'nologin noinherit'),
      ('service_role', 'nologin noinherit bypassrls')) as t(name, attrs)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      begin
        execute format('create role %I %s', r.name, r.attrs);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end $$;

-- The migrating role must be able to SET ROLE to the API roles (Supabase: postgres already is a member).
do $$
declare
  r text;
begin
  foreach r in array array['anon', 'authenticated', 'service_role'] loop
    if not pg_has_role(current_user, r, 'member') then
      begin
        execute format('grant %I to %I', r, current_user);
      exception when others then
        raise notice 'could not grant % to %: %', r, current_user, sqlerrm;
      end;
    end if;
  end loop;
end $$;

-- auth.jwt(): the request's JWT claims as set by PostgREST (or by the database port: set_config(
-- 'request.jwt.claims', <json>, true) inside the user's transaction). Empty object when unset.
-- On Supabase the schema and functions exist (owned by its auth service) and are left untouched: privileges are
-- granted only on what this migration created.
do $$
begin
  if not exists (select 1 from pg_namespace where nspname = 'auth') then
    create schema auth;
    grant usage on schema auth to anon, authenticated, service_role;
  end if;
  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb
      language sql stable
      set search_path = ''
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claims', true), '')::jsonb,
          '{}'::jsonb
        )
      $f$;
    grant execute on function auth.jwt() to anon, authenticated, service_role;
  end if;
  if to_regprocedure('auth.uid()') is null then
    -- The caller's profile id: the `sub` claim, when it is a UUID (the database port resolves other subjects
    -- through user_id_mappings before setting the claims). Also honours the legacy request.jwt.claim.sub.
    create function auth.uid() returns uuid
      language sql stable
      set search_path = ''
      as $f$
        select case
          when s ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then s::uuid
        end
        from (select coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
        ) as s) claims
      $f$;
    grant execute on function auth.uid() to anon, authenticated, service_role;
  end if;
  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text
      language sql stable
      set search_path = ''
      as $f$
        select coalesce(
          nullif(current_setting('request.jwt.claim.role', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
        )
      $f$;
    grant execute on function auth.role() to anon, authenticated, service_role;
  end if;
end $$;

-- Extensions, where this server has them: pgvector (Supabase, PGlite) and pg_trgm (fuzzy name matching).
-- Supabase keeps extensions in the `extensions` schema; elsewhere they go to public.
do $$
declare
  ext text;
  target_schema text := case when exists (select 1 from pg_namespace where nspname = 'extensions')
                             then 'extensions' else 'public' end;
begin
  foreach ext in array array['vector', 'pg_trgm'] loop
    if exists (select 1 from pg_available_extensions where name = ext)
       and not exists (select 1 from pg_extension where extname = ext) then
      execute format('create extension %I with schema %I', ext, target_schema);
    end if;
  end loop;
end $$;

-- Internal helpers (RLS predicates, trigger functions) live outside the API-exposed public schema.
create schema if not exists atoms_private;
revoke all on schema atoms_private from public;
grant usage on schema atoms_private to anon, authenticated, service_role;

grant usage on schema public to anon, authenticated, service_role;
