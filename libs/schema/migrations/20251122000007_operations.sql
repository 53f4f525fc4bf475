-- SQL functions the tools call: multi-step operations that must be atomic (workflows, batch operations),
-- search, version restore, invitations and identity provisioning. Each runs in the caller's transaction, so it
-- works the same through `pg` and through supabase-js `rpc()`: on any error nothing it did remains.
--
-- All run with the caller's rights (SECURITY INVOKER: row-level security applies to every row they touch)
-- except accept_invitation (the invitee cannot yet write the membership tables) and resolve_profile (service
-- only). Errors keep their SQLSTATE and constraint; workflows add the failing step to the error's hint as
-- `atoms_step:<step>`.
--
-- Signatures are documented in libs/schema/README.md ("SQL functions").

-- ---------------------------------------------------------------------------------------------------------
-- Generic row helpers (invoker rights)
-- ---------------------------------------------------------------------------------------------------------
-- Tables the generic operations accept: every public table except the runner's ledger and the append-only logs.
create function atoms_private.checked_table(tbl text) returns text
  language plpgsql stable set search_path = ''
  as $$
  begin
    if tbl is null or to_regclass('public.' || quote_ident(tbl)) is null
       or tbl in ('schema_migrations', 'audit_logs', 'entity_versions')
       or not exists (select 1 from pg_tables where schemaname = 'public' and tablename = tbl) then
      raise exception 'unknown table "%"', tbl using errcode = 'undefined_table', hint = 'pass a table name such as requirements';
    end if;
    return tbl;
  end
  $$;

-- Writable columns of a table named in `data`; unknown or generated keys are an error naming them.
create function atoms_private.data_columns(tbl text, data jsonb) returns text[]
  language plpgsql stable set search_path = ''
  as $$
  declare
    known text[];
    unknown text[];
  begin
    if data is null or jsonb_typeof(data) <> 'object' then
      raise exception 'row data for % must be a JSON object', tbl using errcode = 'invalid_parameter_value';
    end if;
    select array_agg(a.attname::text order by a.attnum) into known
      from pg_attribute a
     where a.attrelid = ('public.' || quote_ident(tbl))::regclass and a.attnum > 0 and not a.attisdropped
       and a.attgenerated = '';
    select array_agg(k order by k) into unknown from jsonb_object_keys(data) k where k <> all (known);
    if unknown is not null then
      raise exception 'unknown or read-only column(s) of %: %', tbl, array_to_string(unknown, ', ')
        using errcode = 'undefined_column', table = tbl, column = unknown[1];
    end if;
    return array(select k from jsonb_object_keys(data) k order by k);
  end
  $$;

-- The row as JSON, without the large derived columns.
create function atoms_private.row_json(row_data jsonb) returns jsonb
  language sql immutable parallel safe set search_path = ''
  as $$ select row_data - array['embedding', 'fts_vector'] $$;

create function atoms_private.insert_row(tbl text, data jsonb) returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    cols text[] := atoms_private.data_columns(atoms_private.checked_table(tbl), data);
    result jsonb;
  begin
    if cardinality(cols) = 0 then
      execute format('insert into public.%I as t default values returning to_jsonb(t.*)', tbl) into result;
    else
      execute format('insert into public.%I as t (%s) select %s from jsonb_populate_record(null::public.%I, $1) r '
                     'returning to_jsonb(t.*)',
                     tbl,
                     (select string_agg(quote_ident(c), ', ') from unnest(cols) c),
                     (select string_agg('r.' || quote_ident(c), ', ') from unnest(cols) c),
                     tbl)
        into result using data;
    end if;
    return atoms_private.row_json(result);
  end
  $$;

-- Updates the rows with the given ids that the caller can update; returns them. Missing ids are an error
-- naming them (not found, or hidden by row-level security), so nothing is updated.
create function atoms_private.update_rows(tbl text, ids uuid[], data jsonb) returns jsonb
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
      raise exception '% row(s) of % not found or not writable: %', cardinality(missing), tbl,
        array_to_string(missing, ', ')
        using errcode = 'no_data_found', table = tbl, detail = array_to_string(missing, ',');
    end if;
    return (select coalesce(jsonb_agg(atoms_private.row_json(e)), '[]'::jsonb) from jsonb_array_elements(rows) e);
  end
  $$;

-- Re-raises the current exception with the workflow step in its hint. Called only from exception handlers.
create function atoms_private.step_error(step text, state text, message text, detail text, hint text,
                                         constraint_name text, table_name text, column_name text)
  returns void
  language plpgsql set search_path = ''
  as $$
  begin
    raise exception using
      errcode = state,
      message = message,
      detail = coalesce(detail, ''),
      hint = 'atoms_step:' || step || coalesce('; ' || nullif(hint, ''), ''),
      constraint = coalesce(constraint_name, ''),
      table = coalesce(table_name, ''),
      column = coalesce(column_name, '');
  end
  $$;

create function atoms_private.remember_context(org uuid, project uuid, doc uuid) returns void
  language plpgsql set search_path = ''
  as $$
  begin
    if auth.uid() is null then
      return;
    end if;
    insert into public.workspace_contexts as w (user_id, session_id, organization_id, project_id, document_id,
                                               recent_organizations, recent_projects, recent_documents)
    values (auth.uid(), null, org, project, doc,
            array_remove(array[org], null), array_remove(array[project], null), array_remove(array[doc], null))
    on conflict (user_id, session_id) do update
      set organization_id = coalesce(excluded.organization_id, w.organization_id),
          project_id = coalesce(excluded.project_id, w.project_id),
          document_id = excluded.document_id,
          recent_organizations = (array_remove(array[org], null) || array_remove(w.recent_organizations, org))[1:10],
          recent_projects = (array_remove(array[project], null) || array_remove(w.recent_projects, project))[1:10],
          recent_documents = (array_remove(array[doc], null) || array_remove(w.recent_documents, doc))[1:10],
          updated_at = now();
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Batch operations
-- ---------------------------------------------------------------------------------------------------------
-- batch_create(table, items, continue_on_error): up to 100 rows. All or nothing by default; with
-- continue_on_error each item is attempted on its own (savepoint) and reported.
-- Returns {"created": n, "failed": n, "results": [{"index", "ok": true, "id", "row"} |
--          {"index", "ok": false, "error": {"code", "message", "constraint", "column"}}]}.
create function public.batch_create(p_table text, p_items jsonb, p_continue_on_error boolean default false)
  returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    item jsonb;
    idx int := 0;
    created_row jsonb;
    results jsonb := '[]'::jsonb;
    created int := 0;
    failed int := 0;
    v_state text; v_message text; v_constraint text; v_column text;
  begin
    perform atoms_private.checked_table(p_table);
    if p_items is null or jsonb_typeof(p_items) <> 'array' or jsonb_array_length(p_items) = 0 then
      raise exception 'items must be a non-empty JSON array' using errcode = 'invalid_parameter_value';
    end if;
    if jsonb_array_length(p_items) > 100 then
      raise exception 'at most 100 items per batch (got %)', jsonb_array_length(p_items)
        using errcode = 'program_limit_exceeded';
    end if;
    for item in select value from jsonb_array_elements(p_items) loop
      if p_continue_on_error then
        begin
          created_row := atoms_private.insert_row(p_table, item);
          results := results || jsonb_build_object('index', idx, 'ok', true, 'id', created_row -> 'id', 'row', created_row);
          created := created + 1;
        exception when others then
          get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                                  v_constraint = constraint_name, v_column = column_name;
          results := results || jsonb_build_object('index', idx, 'ok', false, 'error', jsonb_strip_nulls(
            jsonb_build_object('code', v_state, 'message', v_message,
                               'constraint', nullif(v_constraint, ''), 'column', nullif(v_column, ''))));
          failed := failed + 1;
        end;
      else
        begin
          created_row := atoms_private.insert_row(p_table, item);
        exception when others then
          get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                                  v_constraint = constraint_name, v_column = column_name;
          raise exception using errcode = v_state, message = format('item %s: %s', idx, v_message),
            constraint = coalesce(v_constraint, ''), column = coalesce(v_column, ''),
            hint = 'atoms_item:' || idx;
        end;
        results := results || jsonb_build_object('index', idx, 'ok', true, 'id', created_row -> 'id', 'row', created_row);
        created := created + 1;
      end if;
      idx := idx + 1;
    end loop;
    return jsonb_build_object('created', created, 'failed', failed, 'results', results);
  end
  $$;

-- bulk_update(table, ids, data): the same change on up to 1000 rows, all or nothing.
-- Returns {"updated": n, "rows": [...]}.
create function public.bulk_update(p_table text, p_ids uuid[], p_data jsonb) returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    rows jsonb;
  begin
    if p_ids is null or cardinality(p_ids) = 0 then
      raise exception 'entity_ids must not be empty' using errcode = 'invalid_parameter_value';
    end if;
    if cardinality(p_ids) > 1000 then
      raise exception 'at most 1000 ids per bulk operation (got %)', cardinality(p_ids)
        using errcode = 'program_limit_exceeded';
    end if;
    rows := atoms_private.update_rows(p_table, array(select distinct unnest(p_ids)), p_data);
    return jsonb_build_object('updated', jsonb_array_length(rows), 'rows', rows);
  end
  $$;

-- bulk_delete(table, ids, hard): soft delete (is_deleted = true, cascading) where the table has is_deleted
-- and hard is false; otherwise a hard delete. All or nothing. Returns {"deleted": n, "ids": [...], "soft": bool}.
create function public.bulk_delete(p_table text, p_ids uuid[], p_hard boolean default false) returns jsonb
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
      raise exception '% row(s) of % not found or not deletable: %', cardinality(missing), p_table,
        array_to_string(missing, ', ')
        using errcode = 'no_data_found', table = p_table, detail = array_to_string(missing, ',');
    end if;
    return jsonb_build_object('deleted', cardinality(deleted), 'ids', to_jsonb(deleted), 'soft', soft);
  end
  $$;

-- restore_version(table, id, version): writes the snapshot of that version back as a new version (content
-- columns only: identity, ownership, timestamps, deletion state and derived columns stay as they are).
create function public.restore_version(p_table text, p_id uuid, p_version integer) returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    snapshot jsonb;
    restored jsonb;
  begin
    perform atoms_private.checked_table(p_table);
    select ev.data into snapshot from public.entity_versions ev
     where ev.entity_type = p_table and ev.entity_id = p_id and ev.version = p_version;
    if snapshot is null then
      raise exception 'version % of % % not found', p_version, p_table, p_id
        using errcode = 'no_data_found', table = p_table;
    end if;
    snapshot := snapshot - array['id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'version',
                                 'is_deleted', 'deleted_at', 'deleted_by', 'embedding', 'fts_vector', 'member_count'];
    restored := atoms_private.update_rows(p_table, array[p_id], snapshot);
    return restored -> 0;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Workflows
-- ---------------------------------------------------------------------------------------------------------
-- setup_project(organization_id, name, description, initial_documents): creates the project (the caller
-- becomes its owner), its initial documents (JSON array of names or {name, description, tags}) and makes it
-- the caller's current context. Returns {"project": {...}, "documents": [...], "steps_completed": [...]}.
create function public.setup_project(p_organization_id uuid, p_name text, p_description text default null,
                                     p_initial_documents jsonb default '[]'::jsonb)
  returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    step text := 'verify_organization';
    done text[] := '{}';
    project jsonb;
    docs jsonb := '[]'::jsonb;
    doc jsonb;
    v_state text; v_message text; v_detail text; v_hint text; v_constraint text; v_table text; v_column text;
  begin
    begin
      if not exists (select 1 from public.organizations o where o.id = p_organization_id and o.is_deleted is not true) then
        raise exception 'organization % not found', p_organization_id using errcode = 'no_data_found';
      end if;
      done := done || step;

      step := 'create_project';
      project := atoms_private.insert_row('projects', jsonb_strip_nulls(jsonb_build_object(
        'organization_id', p_organization_id, 'name', p_name, 'description', p_description)));
      done := done || step;

      step := 'create_documents';
      if p_initial_documents is not null and jsonb_typeof(p_initial_documents) <> 'array' then
        raise exception 'initial_documents must be a JSON array' using errcode = 'invalid_parameter_value';
      end if;
      for doc in select value from jsonb_array_elements(coalesce(p_initial_documents, '[]'::jsonb)) loop
        if jsonb_typeof(doc) = 'string' then
          doc := jsonb_build_object('name', doc #>> '{}');
        end if;
        docs := docs || atoms_private.insert_row('documents', doc || jsonb_build_object('project_id', project -> 'id'));
      end loop;
      done := done || step;

      step := 'set_context';
      perform atoms_private.remember_context(p_organization_id, (project ->> 'id')::uuid, null);
      done := done || step;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
        v_hint = pg_exception_hint, v_constraint = constraint_name, v_table = table_name, v_column = column_name;
      perform atoms_private.step_error(step, v_state, v_message, v_detail, v_hint, v_constraint, v_table, v_column);
    end;
    return jsonb_build_object('project', project, 'documents', docs, 'steps_completed', to_jsonb(done));
  end
  $$;

-- import_requirements(document_id, requirements, defaults): creates every requirement (JSON array of objects
-- with requirement columns; defaults status active, priority medium, then `defaults`), in order, positions
-- continuing after the document's last requirement. All or nothing; at most 1000.
-- Returns {"document_id", "imported_count", "requirements": [{"index", "id", "external_id", "name"}]}.
create function public.import_requirements(p_document_id uuid, p_requirements jsonb,
                                           p_defaults jsonb default '{}'::jsonb)
  returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    step text := 'verify_document';
    item jsonb;
    idx int := 0;
    pos double precision;
    created jsonb;
    out jsonb := '[]'::jsonb;
    v_state text; v_message text; v_detail text; v_hint text; v_constraint text; v_table text; v_column text;
  begin
    begin
      if p_requirements is null or jsonb_typeof(p_requirements) <> 'array' or jsonb_array_length(p_requirements) = 0 then
        raise exception 'requirements must be a non-empty JSON array' using errcode = 'invalid_parameter_value';
      end if;
      if jsonb_array_length(p_requirements) > 1000 then
        raise exception 'at most 1000 requirements per import (got %)', jsonb_array_length(p_requirements)
          using errcode = 'program_limit_exceeded';
      end if;
      if not exists (select 1 from public.documents d where d.id = p_document_id and d.is_deleted is not true) then
        raise exception 'document % not found', p_document_id using errcode = 'no_data_found';
      end if;
      select coalesce(max(r.position), 0) into pos from public.requirements r where r.document_id = p_document_id;
      for item in select value from jsonb_array_elements(p_requirements) loop
        step := 'create_requirement:' || idx;
        if jsonb_typeof(item) <> 'object' then
          raise exception 'requirement % must be a JSON object', idx using errcode = 'invalid_parameter_value';
        end if;
        pos := pos + 1;
        created := atoms_private.insert_row('requirements',
          jsonb_build_object('status', 'active', 'priority', 'medium', 'position', pos)
          || coalesce(p_defaults, '{}'::jsonb) || item || jsonb_build_object('document_id', p_document_id));
        out := out || jsonb_build_object('index', idx, 'id', created -> 'id', 'external_id', created -> 'external_id',
                                         'name', created -> 'name');
        idx := idx + 1;
      end loop;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
        v_hint = pg_exception_hint, v_constraint = constraint_name, v_table = table_name, v_column = column_name;
      perform atoms_private.step_error(step, v_state, v_message, v_detail, v_hint, v_constraint, v_table, v_column);
    end;
    return jsonb_build_object('document_id', p_document_id, 'imported_count', idx, 'requirements', out);
  end
  $$;

-- setup_test_matrix(project_id, matrix_name, priorities): a test matrix view (the project's default if it has
-- none) and, for every live requirement of the project with one of `priorities` and no linked test yet, an
-- acceptance test (status draft, method manual, same priority) linked to it.
-- Returns {"matrix_view": {...}, "tests_created": n, "links_created": n, "requirements_considered": n}.
create function public.setup_test_matrix(p_project_id uuid, p_matrix_name text default 'Test Matrix',
                                         p_priorities public.requirement_priority[] default '{high,critical}')
  returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    step text := 'verify_project';
    view_row jsonb;
    req record;
    test_row jsonb;
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
        created := created + 1;
      end loop;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
        v_hint = pg_exception_hint, v_constraint = constraint_name, v_table = table_name, v_column = column_name;
      perform atoms_private.step_error(step, v_state, v_message, v_detail, v_hint, v_constraint, v_table, v_column);
    end;
    return jsonb_build_object('matrix_view', view_row, 'tests_created', created, 'links_created', created,
                              'requirements_considered', considered);
  end
  $$;

-- bulk_status_update(entity_type, ids, status): entity_type is requirement, project, test or assignment (or
-- the table name); the status must be a value of that table's status enum. All or nothing.
-- Returns {"updated": n, "ids": [...], "status": "..."}.
create function public.bulk_status_update(p_entity_type text, p_entity_ids uuid[], p_status text) returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    tbl text := case lower(p_entity_type)
      when 'requirement' then 'requirements' when 'requirements' then 'requirements'
      when 'project' then 'projects' when 'projects' then 'projects'
      when 'test' then 'test_req' when 'test_req' then 'test_req'
      when 'assignment' then 'assignments' when 'assignments' then 'assignments' end;
    enum_type regtype;
    rows jsonb;
  begin
    if tbl is null then
      raise exception 'bulk_status_update supports requirement, project, test and assignment, not "%"', p_entity_type
        using errcode = 'invalid_parameter_value';
    end if;
    select a.atttypid::regtype into enum_type from pg_attribute a
     where a.attrelid = ('public.' || tbl)::regclass and a.attname = 'status';
    if not exists (select 1 from pg_enum e where e.enumtypid = enum_type and e.enumlabel = p_status) then
      raise exception 'invalid status "%" for %: expected one of %', p_status, tbl,
        (select string_agg(e.enumlabel, ', ' order by e.enumsortorder) from pg_enum e where e.enumtypid = enum_type)
        using errcode = 'invalid_text_representation', table = tbl, column = 'status';
    end if;
    rows := (public.bulk_update(tbl, p_entity_ids, jsonb_build_object('status', p_status))) -> 'rows';
    return jsonb_build_object('updated', jsonb_array_length(rows),
                              'ids', (select jsonb_agg(e -> 'id') from jsonb_array_elements(rows) e),
                              'status', p_status);
  end
  $$;

-- organization_onboarding(name, slug, type, description, create_starter_project, invite_emails): the
-- organization (the caller becomes its owner), optionally a "Getting Started" project with a first document,
-- invitations (role member) for the given e-mails, and the caller's context.
-- Returns {"organization": {...}, "project": {...} | null, "invitations": [...], "steps_completed": [...]}.
create function public.organization_onboarding(p_name text, p_slug text default null,
                                               p_type public.organization_type default 'team',
                                               p_description text default null,
                                               p_create_starter_project boolean default true,
                                               p_invite_emails text[] default '{}')
  returns jsonb
  language plpgsql set search_path = ''
  as $$
  declare
    step text := 'create_organization';
    done text[] := '{}';
    org jsonb;
    project jsonb;
    invites jsonb := '[]'::jsonb;
    email text;
    v_state text; v_message text; v_detail text; v_hint text; v_constraint text; v_table text; v_column text;
  begin
    begin
      org := atoms_private.insert_row('organizations', jsonb_strip_nulls(jsonb_build_object(
        'name', p_name, 'slug', p_slug, 'type', p_type, 'description', p_description)));
      done := done || step;

      if p_create_starter_project then
        step := 'create_starter_project';
        project := atoms_private.insert_row('projects', jsonb_build_object(
          'organization_id', org -> 'id', 'name', 'Getting Started',
          'description', 'A first project to explore Atoms.'));
        perform atoms_private.insert_row('documents', jsonb_build_object(
          'project_id', project -> 'id', 'name', 'Requirements'));
        done := done || step;
      end if;

      step := 'invite_members';
      foreach email in array coalesce(p_invite_emails, '{}') loop
        invites := invites || atoms_private.insert_row('organization_invitations', jsonb_build_object(
          'organization_id', org -> 'id', 'email', lower(btrim(email)), 'role', 'member'));
      end loop;
      done := done || step;

      step := 'set_context';
      perform atoms_private.remember_context((org ->> 'id')::uuid, (project ->> 'id')::uuid, null);
      done := done || step;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
        v_hint = pg_exception_hint, v_constraint = constraint_name, v_table = table_name, v_column = column_name;
      perform atoms_private.step_error(step, v_state, v_message, v_detail, v_hint, v_constraint, v_table, v_column);
    end;
    return jsonb_build_object('organization', org, 'project', project, 'invitations', invites,
                              'steps_completed', to_jsonb(done));
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Invitations
-- ---------------------------------------------------------------------------------------------------------
-- accept_invitation(token): the signed-in invitee (e-mail must match) joins the organization or project with
-- the invited role; the invitation becomes accepted. Definer rights: the invitee is not yet allowed to write
-- membership rows. Member limits apply. Returns {"kind": "organization"|"project", "id", "role"}.
create function public.accept_invitation(p_token uuid) returns jsonb
  language plpgsql security definer set search_path = ''
  as $$
  declare
    uid uuid := auth.uid();
    me text := atoms_private.current_email();
    org_inv public.organization_invitations;
    proj_inv public.project_invitations;
  begin
    if uid is null then
      raise exception 'sign in to accept an invitation' using errcode = 'insufficient_privilege';
    end if;
    select * into org_inv from public.organization_invitations i
     where i.token = p_token and i.is_deleted is not true for update;
    if found then
      if lower(org_inv.email) is distinct from me then
        raise exception 'invitation not found' using errcode = 'no_data_found';
      end if;
      if org_inv.status <> 'pending' or org_inv.expires_at <= now() then
        raise exception 'invitation is % ', case when org_inv.status <> 'pending' then org_inv.status::text else 'expired' end
          using errcode = 'check_violation', constraint = 'invitation_pending';
      end if;
      insert into public.organization_members (organization_id, user_id, role, status, updated_by)
      values (org_inv.organization_id, uid, org_inv.role, 'active', uid)
      on conflict (organization_id, user_id) do update
        set role = excluded.role, status = 'active', is_deleted = false, deleted_at = null, deleted_by = null;
      update public.organization_invitations set status = 'accepted', updated_by = uid where id = org_inv.id;
      return jsonb_build_object('kind', 'organization', 'id', org_inv.organization_id, 'role', org_inv.role);
    end if;
    select * into proj_inv from public.project_invitations i
     where i.token = p_token and i.is_deleted is not true for update;
    if not found or lower(proj_inv.email) is distinct from me then
      raise exception 'invitation not found' using errcode = 'no_data_found';
    end if;
    if proj_inv.status <> 'pending' or proj_inv.expires_at <= now() then
      raise exception 'invitation is % ', case when proj_inv.status <> 'pending' then proj_inv.status::text else 'expired' end
        using errcode = 'check_violation', constraint = 'invitation_pending';
    end if;
    insert into public.project_members (project_id, user_id, role, status, org_id)
    values (proj_inv.project_id, uid, proj_inv.role, 'active',
            (select p.organization_id from public.projects p where p.id = proj_inv.project_id))
    on conflict (project_id, user_id) do update
      set role = excluded.role, status = 'active', is_deleted = false, deleted_at = null, deleted_by = null;
    update public.project_invitations set status = 'accepted', updated_by = uid where id = proj_inv.id;
    return jsonb_build_object('kind', 'project', 'id', proj_inv.project_id, 'role', proj_inv.role);
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Identity
-- ---------------------------------------------------------------------------------------------------------
-- resolve_profile(provider, subject, email, full_name): the profile id for an external identity. A UUID
-- subject of an existing profile maps directly; a known (provider, subject) returns its mapping; otherwise,
-- with an e-mail claim (trusted: it comes from a verified token), the mapping is created, to the profile with
-- that e-mail or to a new profile (whose trigger creates the personal organization). Service role only.
create function public.resolve_profile(p_provider text, p_subject text, p_email text default null,
                                       p_full_name text default null)
  returns uuid
  language plpgsql security definer set search_path = ''
  as $$
  declare
    profile uuid;
  begin
    if p_provider is null or p_subject is null or btrim(p_subject) = '' then
      raise exception 'provider and subject are required' using errcode = 'invalid_parameter_value';
    end if;
    if p_subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      select p.id into profile from public.profiles p where p.id = p_subject::uuid;
      if found then
        return profile;
      end if;
    end if;
    update public.user_id_mappings m set last_seen_at = now()
     where m.provider = p_provider and m.subject = p_subject
     returning m.profile_id into profile;
    if found then
      return profile;
    end if;
    if p_email is null or btrim(p_email) = '' then
      raise exception 'unknown identity %:% and no e-mail claim to provision it', p_provider, p_subject
        using errcode = 'no_data_found';
    end if;
    select p.id into profile from public.profiles p where lower(p.email) = lower(btrim(p_email));
    if not found then
      insert into public.profiles (email, full_name) values (lower(btrim(p_email)), nullif(btrim(p_full_name), ''))
      on conflict ((lower(email))) do nothing
      returning id into profile;
      if profile is null then
        select p.id into profile from public.profiles p where lower(p.email) = lower(btrim(p_email));
      end if;
    end if;
    insert into public.user_id_mappings (provider, subject, profile_id, email, last_seen_at)
    values (p_provider, p_subject, profile, lower(btrim(p_email)), now())
    on conflict (provider, subject) do nothing;
    select m.profile_id into profile from public.user_id_mappings m
     where m.provider = p_provider and m.subject = p_subject;
    return profile;
  end
  $$;

-- cleanup_expired_mcp_sessions(): deletes expired MCP sessions (all of them for the service role, the caller's
-- own otherwise); returns how many.
create function public.cleanup_expired_mcp_sessions() returns integer
  language sql set search_path = ''
  as $$
    with d as (delete from public.mcp_sessions s where s.expires_at <= now() returning 1) select count(*)::int from d
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Search
-- ---------------------------------------------------------------------------------------------------------
-- search_entities(table, query, limit, offset, project_id, include_deleted): full-text search (web-search
-- syntax, English stemming) over name (weight A) and description (B) of organizations, projects, documents,
-- requirements or test_req (title), ranked; row-level security applies. `total` is the full match count.
create function public.search_entities(p_table text, p_query text, p_limit integer default 20,
                                       p_offset integer default 0, p_project_id uuid default null,
                                       p_include_deleted boolean default false)
  returns table (id uuid, name text, rank real, total bigint)
  language plpgsql stable set search_path = ''
  as $$
  declare
    name_col text := case p_table when 'test_req' then 'title' else 'name' end;
    project_filter text := case
      when p_project_id is null then 'true'
      when p_table in ('documents', 'test_req') then 't.project_id = $2'
      when p_table = 'projects' then 't.id = $2'
      when p_table = 'requirements' then 'atoms_private.document_project(t.document_id) = $2'
      else 'false' end;
  begin
    if p_table not in ('organizations', 'projects', 'documents', 'requirements', 'test_req') then
      raise exception 'search_entities supports organizations, projects, documents, requirements, test_req; not "%"', p_table
        using errcode = 'invalid_parameter_value';
    end if;
    if p_limit is null or p_limit < 1 or p_limit > 100 then
      raise exception 'limit must be between 1 and 100' using errcode = 'invalid_parameter_value';
    end if;
    return query execute format(
      'select t.id, t.%I::text, ts_rank_cd(t.fts_vector, q)::real, count(*) over () '
      'from public.%I t, websearch_to_tsquery(''english''::regconfig, $1) q '
      'where t.fts_vector @@ q and %s and ($3 or t.is_deleted is not true) '
      'order by 3 desc, t.id limit $4 offset $5',
      name_col, p_table, project_filter)
      using p_query, p_project_id, p_include_deleted, p_limit, greatest(coalesce(p_offset, 0), 0);
  end
  $$;

-- Exact cosine similarity of two vectors of equal length (the portable path; pgvector's <=> where available).
create function atoms_private.cosine_similarity(a double precision[], b double precision[]) returns double precision
  language sql immutable strict parallel safe set search_path = ''
  as $$
    select case when sum(x * x) = 0 or sum(y * y) = 0 then null
                else sum(x * y) / (sqrt(sum(x * x)) * sqrt(sum(y * y))) end
      from unnest(a, b) as v(x, y)
  $$;

-- semantic_search(table, embedding, limit, min_similarity, project_id): nearest rows by cosine similarity of
-- their `embedding` (768 numbers) to the query embedding, best first; rows without an embedding are skipped;
-- row-level security applies. Uses the HNSW index where pgvector is installed (approximate, like every HNSW
-- search), and an exact scan over double precision[] where it is not.
create function public.semantic_search(p_table text, p_embedding double precision[], p_limit integer default 10,
                                       p_min_similarity double precision default 0, p_project_id uuid default null,
                                       p_include_deleted boolean default false)
  returns table (id uuid, name text, similarity double precision)
  language plpgsql stable set search_path = ''
  as $$
  declare
    col_type text;
    project_filter text := case
      when p_project_id is null then 'true'
      when p_table = 'documents' then 't.project_id = $2'
      when p_table = 'projects' then 't.id = $2'
      when p_table = 'requirements' then 'atoms_private.document_project(t.document_id) = $2'
      else 'false' end;
  begin
    if p_table not in ('organizations', 'projects', 'documents', 'requirements') then
      raise exception 'semantic_search supports organizations, projects, documents, requirements; not "%"', p_table
        using errcode = 'invalid_parameter_value';
    end if;
    if p_embedding is null or cardinality(p_embedding) <> 768 then
      raise exception 'the query embedding must have 768 dimensions (got %)', coalesce(cardinality(p_embedding), 0)
        using errcode = 'invalid_parameter_value';
    end if;
    if p_limit is null or p_limit < 1 or p_limit > 100 then
      raise exception 'limit must be between 1 and 100' using errcode = 'invalid_parameter_value';
    end if;
    select format_type(a.atttypid, null) into col_type from pg_attribute a
     where a.attrelid = ('public.' || p_table)::regclass and a.attname = 'embedding';
    if col_type like '%vector' then
      return query execute format(
        'select t.id, t.name, 1 - (t.embedding operator(%s.<=>) $1::text::%s) as similarity '
        'from public.%I t where t.embedding is not null and %s and ($5 or t.is_deleted is not true) '
        'and 1 - (t.embedding operator(%s.<=>) $1::text::%s) >= $4 '
        'order by t.embedding operator(%s.<=>) $1::text::%s limit $3',
        split_part(col_type, '.', 1), col_type, p_table, project_filter, split_part(col_type, '.', 1), col_type,
        split_part(col_type, '.', 1), col_type)
        using array_to_json(p_embedding)::text, p_project_id, p_limit, p_min_similarity, p_include_deleted;
    else
      return query execute format(
        'select s.id, s.name, s.similarity from ('
        '  select t.id, t.name, atoms_private.cosine_similarity(t.embedding, $1) as similarity'
        '    from public.%I t where t.embedding is not null and %s and ($5 or t.is_deleted is not true)) s '
        'where s.similarity >= $4 order by s.similarity desc, s.id limit $3',
        p_table, project_filter)
        using p_embedding, p_project_id, p_limit, p_min_similarity, p_include_deleted;
    end if;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------------------------
revoke all on function public.batch_create(text, jsonb, boolean), public.bulk_update(text, uuid[], jsonb),
  public.bulk_delete(text, uuid[], boolean), public.restore_version(text, uuid, integer),
  public.setup_project(uuid, text, text, jsonb), public.import_requirements(uuid, jsonb, jsonb),
  public.setup_test_matrix(uuid, text, public.requirement_priority[]),
  public.bulk_status_update(text, uuid[], text),
  public.organization_onboarding(text, text, public.organization_type, text, boolean, text[]),
  public.accept_invitation(uuid), public.resolve_profile(text, text, text, text),
  public.cleanup_expired_mcp_sessions(), public.search_entities(text, text, integer, integer, uuid, boolean),
  public.semantic_search(text, double precision[], integer, double precision, uuid, boolean)
  from public, anon;
grant execute on function public.batch_create(text, jsonb, boolean), public.bulk_update(text, uuid[], jsonb),
  public.bulk_delete(text, uuid[], boolean), public.restore_version(text, uuid, integer),
  public.setup_project(uuid, text, text, jsonb), public.import_requirements(uuid, jsonb, jsonb),
  public.setup_test_matrix(uuid, text, public.requirement_priority[]),
  public.bulk_status_update(text, uuid[], text),
  public.organization_onboarding(text, text, public.organization_type, text, boolean, text[]),
  public.accept_invitation(uuid), public.cleanup_expired_mcp_sessions(),
  public.search_entities(text, text, integer, integer, uuid, boolean),
  public.semantic_search(text, double precision[], integer, double precision, uuid, boolean)
  to authenticated, service_role;
grant execute on function public.resolve_profile(text, text, text, text) to service_role;
revoke all on all functions in schema atoms_private from public;
grant execute on all functions in schema atoms_private to authenticated, service_role;
