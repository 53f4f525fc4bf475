-- What the tools still did themselves, moved into the database (libs/tools asked for each):
--
-- 1. resolve_entity_name(): "names or ids" resolution in one round trip, ranked by pg_trgm's similarity over every
--    visible row (the tools scored at most 2,000 candidates in TypeScript).
-- 2. Row refusals of the generic write functions (bulk_update, bulk_delete, bulk_status_update, restore_version):
--    a row the caller can see but row-level security does not let them change is now 42501 (with the ids in
--    DETAIL), a row they cannot see stays P0002 — the tools no longer need a second query to tell them apart.
-- 3. setup_test_matrix() also returns the tests it created (`tests: [{id, requirement_id}]`).
-- 4. claim_embedding_jobs() honours the retry backoff (p_min_retry_delay), so the worker claims through it.
--
-- Duplicate live links (two concurrent relationship_tool link calls): already impossible. The partial unique
-- indexes trace_links_active_key (source_id, target_id, link_type) and assignments_active_key (entity_id,
-- assignee_id, role), both `where is_deleted is not true`, were created with their tables in migration 0003, so
-- no database migrated by this runner can hold duplicate live rows and nothing needs cleaning up here.

-- ---------------------------------------------------------------------------------------------------------
-- Trigram similarity without pg_trgm
-- ---------------------------------------------------------------------------------------------------------
-- pg_trgm's rules, for servers without the extension: lower case; words are runs of letters and digits, each
-- padded with two spaces in front and one behind; the distinct 3-character substrings. The similarity of two
-- sets is |shared| / |union|, as pg_trgm's similarity() (which also returns real).
create function atoms_private.trigrams(p_text text) returns text[]
  language sql immutable strict parallel safe set search_path = ''
  as $$
    select coalesce(array_agg(distinct substr(w.padded, i, 3)), '{}')
      from (select '  ' || word || ' ' as padded
              from regexp_split_to_table(lower(p_text), '[^[:alnum:]]+') as word
             where word <> '') w,
           generate_series(1, length(w.padded) - 2) as i
  $$;

create function atoms_private.trigram_similarity(a text[], b text[]) returns real
  language sql immutable strict parallel safe set search_path = ''
  as $$
    select case when cardinality(a) = 0 or cardinality(b) = 0 then 0::real
                else s.shared::real / (cardinality(a) + cardinality(b) - s.shared)::real end
      from (select count(*)::int as shared from unnest(a) as x where x = any (b)) s
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Name resolution
-- ---------------------------------------------------------------------------------------------------------
-- resolve_entity_name(table, name, limit, scope_column, scope_id, include_deleted): the rows of `table` the caller
-- can see (SECURITY INVOKER: row-level security applies) whose name matches `name`, best first, at most `limit`:
-- exact case-insensitive matches first (similarity 1), then rows with pg_trgm similarity >= 0.3 to the name,
-- highest first (ties by name, then id). The name column is the table's own (title for test_req and
-- notifications, full_name for profiles). `scope_column` = `scope_id` narrows the lookup to one parent
-- (organization_id, project_id, document_id, block_id or user_id, where the table has that column). Soft-deleted
-- rows only with include_deleted.
--
-- With pg_trgm: its similarity() and `%` operator. Without it: the same formula in SQL
-- (atoms_private.trigram_similarity), same answers.
--
-- Cost: one pass over the rows the caller's SELECT policy admits (within the scope), one trigram similarity per
-- row. The trigram GIN indexes cannot serve a user here: pg_trgm's `%` and ILIKE are not LEAKPROOF, and under
-- row-level security PostgreSQL evaluates such conditions only after the policy, never as index conditions (it
-- would otherwise leak names of rows the policy hides). A role that bypasses RLS (service_role, the owner) may
-- get an index scan when the planner prefers one. Measured in libs/schema/README.md ("Name resolution").
create function public.resolve_entity_name(p_table text, p_name text, p_limit integer default 5,
                                           p_scope_column text default null, p_scope_id uuid default null,
                                           p_include_deleted boolean default false)
  returns table (id uuid, name text, similarity real)
  language plpgsql stable
  set search_path = ''
  set pg_trgm.similarity_threshold = 0.3
  as $$
  declare
    reference text := btrim(p_name);
    name_col text;
    soft_delete boolean;
    scope_columns text[];
    filters text;
    trgm_schema text;
  begin
    select a.col, a.soft into name_col, soft_delete
      from (values ('organizations', 'name', true), ('projects', 'name', true), ('documents', 'name', true),
                   ('requirements', 'name', true), ('test_req', 'title', true), ('profiles', 'full_name', true),
                   ('blocks', 'name', true), ('properties', 'name', true), ('external_documents', 'name', true),
                   ('excalidraw_diagrams', 'name', false), ('react_flow_diagrams', 'name', false),
                   ('test_matrix_views', 'name', false), ('notifications', 'title', false)) as a(tbl, col, soft)
     where a.tbl = p_table;
    if name_col is null then
      raise exception 'resolve_entity_name does not resolve names of "%"', p_table
        using errcode = 'invalid_parameter_value',
              hint = 'tables: organizations, projects, documents, requirements, test_req, profiles, blocks, properties, '
                     'external_documents, excalidraw_diagrams, react_flow_diagrams, test_matrix_views, notifications';
    end if;
    if reference is null or reference = '' then
      raise exception 'the name to resolve must not be empty' using errcode = 'invalid_parameter_value';
    end if;
    if p_limit is null or p_limit < 1 or p_limit > 100 then
      raise exception 'limit must be between 1 and 100' using errcode = 'invalid_parameter_value';
    end if;
    if (p_scope_column is null) <> (p_scope_id is null) then
      raise exception 'scope_column and scope_id go together' using errcode = 'invalid_parameter_value';
    end if;
    if p_scope_column is not null then
      select array_agg(a.attname::text order by a.attname) into scope_columns
        from pg_attribute a
       where a.attrelid = ('public.' || p_table)::regclass and not a.attisdropped
         and a.attname in ('organization_id', 'project_id', 'document_id', 'block_id', 'user_id');
      if p_scope_column <> all (coalesce(scope_columns, '{}')) then
        raise exception '% cannot be narrowed by "%"', p_table, p_scope_column
          using errcode = 'invalid_parameter_value', table = p_table, column = p_scope_column,
                hint = case when scope_columns is null then p_table || ' has no scope column'
                            else 'scope columns of ' || p_table || ': ' || array_to_string(scope_columns, ', ') end;
      end if;
    end if;

    filters := case when p_scope_column is null then 'true' else format('t.%I = $3', p_scope_column) end
      || case when soft_delete and not coalesce(p_include_deleted, false) then ' and t.is_deleted is not true' else '' end;
    select n.nspname into trgm_schema
      from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm';
    -- One pass over the candidate rows: an exact match ($1, the name as an ILIKE pattern matching exactly itself)
    -- or a similar name ($2).
    if trgm_schema is not null then
      return query execute format(
        'select t.id, t.%1$I::text, case when t.%1$I ilike $1 then 1::real else %4$I.similarity(t.%1$I, $2) end '
        'from public.%2$I t where (t.%1$I ilike $1 or t.%1$I operator(%4$I.%%) $2) and %3$s '
        'order by t.%1$I ilike $1 desc, 3 desc, 2, 1 limit $4',
        name_col, p_table, filters, trgm_schema)
        using replace(replace(replace(reference, '\', '\\'), '%', '\%'), '_', '\_'), reference, p_scope_id, p_limit;
    else
      return query execute format(
        'select f.id, f.name, case when f.exact then 1::real else f.similarity end from ('
        '  select t.id, t.%1$I::text as name, t.%1$I ilike $1 as exact,'
        '         atoms_private.trigram_similarity(atoms_private.trigrams(t.%1$I), $2) as similarity'
        '    from public.%2$I t where %3$s) f '
        'where f.exact or f.similarity >= 0.3 '
        'order by f.exact desc, 3 desc, 2, 1 limit $4',
        name_col, p_table, filters)
        using replace(replace(replace(reference, '\', '\\'), '%', '\%'), '_', '\_'), atoms_private.trigrams(reference),
              p_scope_id, p_limit;
    end if;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Refusals: visible but not writable (42501) vs not visible (P0002)
-- ---------------------------------------------------------------------------------------------------------
-- Of the ids a write did not reach: those the caller cannot see are P0002 (not found: nothing is revealed about
-- them); when every one of them is visible, row-level security refused the write: 42501. DETAIL lists the ids.
create function atoms_private.raise_unreached(tbl text, verb text, missing uuid[]) returns void
  language plpgsql stable set search_path = ''
  as $$
  declare
    visible uuid[];
    hidden uuid[];
  begin
    execute format('select array_agg(t.id) from public.%I t where t.id = any ($1)', tbl) into visible using missing;
    select array_agg(i) into hidden from unnest(missing) i where i <> all (coalesce(visible, '{}'));
    if hidden is not null then
      raise exception '% row(s) of % not found: %', cardinality(hidden), tbl, array_to_string(hidden, ', ')
        using errcode = 'no_data_found', table = tbl, detail = array_to_string(hidden, ',');
    end if;
    raise exception 'you may not % % row(s) of %: %', verb, cardinality(missing), tbl, array_to_string(missing, ', ')
      using errcode = 'insufficient_privilege', table = tbl, detail = array_to_string(missing, ',');
  end
  $$;

-- As in 0007, except for the refusal above.
create or replace function atoms_private.update_rows(tbl text, ids uuid[], data jsonb) returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    cols text[] := atoms_private.data_columns(atoms_private.checked_table(tbl), data);
    rows jsonb;
    missing uuid[];
  begin
    if cardinality(cols) = 0 then
      raise exception 'nothing to update' using errcode = 'invalid_parameter_value';
    end if;
    if 'id' = any (cols) then
      raise exception 'the id of a row cannot be changed' using errcode = 'invalid_parameter_value', column = 'id';
    end if;
    execute format('with u as (update public.%I as t set (%s) = (select %s from jsonb_populate_record(null::public.%I, $1) r) '
                   'where t.id = any ($2) returning to_jsonb(t.*) as j) '
                   'select coalesce(jsonb_agg(j), ''[]''::jsonb) from u',
                   tbl,
                   (select string_agg(quote_ident(c), ', ') from unnest(cols) c),
                   (select string_agg('r.' || quote_ident(c), ', ') from unnest(cols) c),
                   tbl)
      into rows using data, ids;
    select array_agg(i) into missing from unnest(ids) i
     where not exists (select 1 from jsonb_array_elements(rows) e where (e ->> 'id')::uuid = i);
    if missing is not null then
      perform atoms_private.raise_unreached(tbl, 'update', missing);
    end if;
    return (select coalesce(jsonb_agg(atoms_private.row_json(e)), '[]'::jsonb) from jsonb_array_elements(rows) e);
  end
  $$;

-- As in 0007, except for the refusal above.
create or replace function public.bulk_delete(p_table text, p_ids uuid[], p_hard boolean default false) returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    soft boolean;
    ids uuid[] := array(select distinct unnest(p_ids));
    deleted uuid[];
    missing uuid[];
  begin
    perform atoms_private.checked_table(p_table);
    if cardinality(ids) = 0 then
      raise exception 'entity_ids must not be empty' using errcode = 'invalid_parameter_value';
    end if;
    if cardinality(ids) > 1000 then
      raise exception 'at most 1000 ids per bulk operation (got %)', cardinality(ids)
        using errcode = 'program_limit_exceeded';
    end if;
    soft := not p_hard and exists (
      select 1 from pg_attribute a where a.attrelid = ('public.' || quote_ident(p_table))::regclass
         and a.attname = 'is_deleted' and not a.attisdropped);
    if soft then
      execute format('with u as (update public.%I set is_deleted = true where id = any ($1) and is_deleted is not true '
                     'returning id) select array_agg(id) from u', p_table)
        into deleted using ids;
      -- Rows already soft-deleted count as deleted (idempotent), if the caller can see them.
      execute format('select array_agg(id) from public.%I where id = any ($1) and is_deleted is true', p_table)
        into deleted using ids;
    else
      execute format('with d as (delete from public.%I where id = any ($1) returning id) select array_agg(id) from d',
                     p_table)
        into deleted using ids;
    end if;
    select array_agg(i) into missing from unnest(ids) i where i <> all (coalesce(deleted, '{}'));
    if missing is not null then
      perform atoms_private.raise_unreached(p_table, 'delete', missing);
    end if;
    return jsonb_build_object('deleted', cardinality(deleted), 'ids', to_jsonb(deleted), 'soft', soft);
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- setup_test_matrix: the created tests in the result
-- ---------------------------------------------------------------------------------------------------------
-- As in 0007; the result also lists the tests created, `tests: [{id, requirement_id}]`, in creation order.
create or replace function public.setup_test_matrix(p_project_id uuid, p_matrix_name text default 'Test Matrix',
                                                    p_priorities public.requirement_priority[] default '{high,critical}')
  returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    step text := 'verify_project';
    view_row jsonb;
    req record;
    test_row jsonb;
    tests jsonb := '[]'::jsonb;
    considered int := 0;
    created int := 0;
    v_state text; v_message text; v_detail text; v_hint text; v_constraint text; v_table text; v_column text;
  begin
    begin
      if not exists (select 1 from public.projects p where p.id = p_project_id and p.is_deleted is not true) then
        raise exception 'project % not found', p_project_id using errcode = 'no_data_found';
      end if;

      step := 'create_matrix_view';
      view_row := atoms_private.insert_row('test_matrix_views', jsonb_build_object(
        'project_id', p_project_id, 'name', coalesce(nullif(btrim(p_matrix_name), ''), 'Test Matrix'),
        'is_default', not exists (select 1 from public.test_matrix_views v where v.project_id = p_project_id and v.is_default),
        'configuration', jsonb_build_object('show_coverage', true, 'group_by', 'priority',
                                            'filter_status', jsonb_build_array('active'),
                                            'priorities', to_jsonb(p_priorities))));

      for req in
        select r.id, r.name, r.priority from public.requirements r
          join public.documents d on d.id = r.document_id
         where d.project_id = p_project_id and r.is_deleted is not true and d.is_deleted is not true
           and r.priority = any (p_priorities)
         order by d.name, r.position
      loop
        considered := considered + 1;
        continue when exists (select 1 from public.requirement_tests rt where rt.requirement_id = req.id);
        step := 'create_test:' || req.id;
        test_row := atoms_private.insert_row('test_req', jsonb_build_object(
          'project_id', p_project_id, 'title', left('Verify: ' || req.name, 255), 'test_type', 'acceptance',
          'status', 'draft', 'method', 'manual', 'priority', req.priority::text));
        step := 'link_test:' || req.id;
        perform atoms_private.insert_row('requirement_tests', jsonb_build_object(
          'requirement_id', req.id, 'test_id', test_row -> 'id', 'execution_status', 'not_executed'));
        tests := tests || jsonb_build_object('id', test_row -> 'id', 'requirement_id', req.id);
        created := created + 1;
      end loop;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
        v_hint = pg_exception_hint, v_constraint = constraint_name, v_table = table_name, v_column = column_name;
      perform atoms_private.step_error(step, v_state, v_message, v_detail, v_hint, v_constraint, v_table, v_column);
    end;
    return jsonb_build_object('matrix_view', view_row, 'tests_created', created, 'links_created', created,
                              'requirements_considered', considered, 'tests', tests);
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- claim_embedding_jobs with retry backoff
-- ---------------------------------------------------------------------------------------------------------
-- claim_embedding_jobs(limit, stale_after, min_retry_delay): as in 0008, but a pending job that already failed
-- (retry_count = n > 0) is claimable only once min_retry_delay · 2^(n-1) has passed since its failure was recorded
-- (fail_embedding_job sets updated_at): 30 s, 1 min, 2 min… by default. Replaces the two-argument version (a
-- second overload would make calls with one or two arguments ambiguous); the privileges are those of 0008.
drop function public.claim_embedding_jobs(integer, interval);

create function public.claim_embedding_jobs(p_limit integer default 10, p_stale_after interval default '5 minutes',
                                            p_min_retry_delay interval default '30 seconds')
  returns setof public.embedding_queue
  language plpgsql set search_path = ''
  as $$
  begin
    if p_limit is null or p_limit < 1 or p_limit > 1000 then
      raise exception 'limit must be between 1 and 1000' using errcode = 'invalid_parameter_value';
    end if;
    if p_stale_after is null or p_stale_after < interval '0' then
      raise exception 'stale_after must be a non-negative interval' using errcode = 'invalid_parameter_value';
    end if;
    if p_min_retry_delay is null or p_min_retry_delay < interval '0' then
      raise exception 'min_retry_delay must be a non-negative interval' using errcode = 'invalid_parameter_value';
    end if;
    return query
      update public.embedding_queue q set status = 'processing', updated_at = now()
       where q.id in (
         select j.id from public.embedding_queue j
          where (j.status = 'pending'
                 -- The exponent is capped so a runaway retry_count cannot overflow the interval.
                 and (j.retry_count = 0
                      or j.updated_at <= now() - p_min_retry_delay * power(2, least(j.retry_count, 31) - 1)))
             or (j.status = 'processing' and j.updated_at < now() - p_stale_after)
          order by j.created_at
          limit p_limit
          for update skip locked)
      returning q.*;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------------------------
revoke all on function public.resolve_entity_name(text, text, integer, text, uuid, boolean) from public, anon;
grant execute on function public.resolve_entity_name(text, text, integer, text, uuid, boolean)
  to authenticated, service_role;
revoke all on function public.claim_embedding_jobs(integer, interval, interval) from public, anon, authenticated;
grant execute on function public.claim_embedding_jobs(integer, interval, interval) to service_role;
revoke all on all functions in schema atoms_private from public;
grant execute on all functions in schema atoms_private to authenticated, service_role;
