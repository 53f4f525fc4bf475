-- Behaviour the database owns (domain.md): timestamps and actors, versions into entity_versions, slugs,
-- requirement external ids and property mirroring, owner memberships, personal organizations, the soft-delete
-- cascade and its exact reversal, member limits, last-owner protection, audit rows and the embedding queue.
--
-- Trigger order: PostgreSQL fires triggers of the same timing in name order, hence the prefixes:
--   before: b10 slug, b20 entity defaults, b30 soft delete, b40 actors/timestamps, b50 version, b60 guards
--   after:  a10 memberships/provisioning, a20 cascade, a30 entity_versions, a40 audit, a50 embedding queue
--
-- Errors raised here carry SQLSTATE 23514 (check_violation) and a constraint name, so the database port maps
-- them to `validation` with that name:
--   <table>_slug_format, organization_member_limit, organization_last_owner, requirements_block_document,
--   invitation_invitee_update, entity_restore_parent_deleted.

-- Columns whose change alone is not a new version of an entity (derived or bookkeeping columns).
create function atoms_private.meaningful(row_data jsonb) returns jsonb
  language sql immutable parallel safe set search_path = ''
  as $$
    select row_data - array['embedding', 'fts_vector', 'updated_at', 'updated_by', 'version', 'member_count',
                            'storage_used', 'last_active_at', 'last_accessed_at']
  $$;

create function atoms_private.changed(old_row jsonb, new_row jsonb) returns boolean
  language sql immutable parallel safe set search_path = ''
  as $$ select atoms_private.meaningful(old_row) is distinct from atoms_private.meaningful(new_row) $$;

-- Snapshot stored in entity_versions and audit rows: the row without its large derived columns.
create function atoms_private.snapshot(row_data jsonb) returns jsonb
  language sql immutable parallel safe set search_path = ''
  as $$ select row_data - array['embedding', 'fts_vector'] $$;

-- ---------------------------------------------------------------------------------------------------------
-- Timestamps and actors (every table that has the columns)
-- ---------------------------------------------------------------------------------------------------------
create function atoms_private.set_actors() returns trigger
  language plpgsql set search_path = ''
  as $$
  declare
    uid uuid := auth.uid();
    patch jsonb;
  begin
    if tg_op = 'INSERT' then
      -- A signed-in caller is always the creator; the service role (no uid) may attribute rows explicitly.
      patch := jsonb_build_object('updated_at', coalesce((to_jsonb(new) ->> 'updated_at')::timestamptz, now()));
      if uid is not null then
        patch := patch || jsonb_build_object('created_by', uid, 'updated_by', uid, 'create_by', uid);
      else
        patch := patch || jsonb_strip_nulls(jsonb_build_object(
          'updated_by', coalesce(to_jsonb(new) ->> 'updated_by', to_jsonb(new) ->> 'created_by')));
      end if;
    else
      -- created_at/created_by never change; updated_at is the time of this change.
      patch := jsonb_build_object('updated_at', now())
        || jsonb_strip_nulls(jsonb_build_object(
             'created_at', to_jsonb(old) -> 'created_at',
             'created_by', to_jsonb(old) -> 'created_by'));
      if uid is not null then
        patch := patch || jsonb_build_object('updated_by', uid);
      end if;
    end if;
    new := jsonb_populate_record(new, patch);
    return new;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Versions
-- ---------------------------------------------------------------------------------------------------------
create function atoms_private.bump_version() returns trigger
  language plpgsql set search_path = ''
  as $$
  begin
    if atoms_private.changed(to_jsonb(old), to_jsonb(new)) then
      new := jsonb_populate_record(new, jsonb_build_object('version',
        coalesce((to_jsonb(old) ->> 'version')::int, 0) + 1));
    else
      new := jsonb_populate_record(new, jsonb_build_object('version', to_jsonb(old) -> 'version'));
    end if;
    return new;
  end
  $$;

-- One entity_versions row per insert and per meaningful update. Tables whose version column is an integer use
-- it; others (organizations; test_req, whose `version` is free text) number their versions here.
create function atoms_private.record_version() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  declare
    data jsonb := to_jsonb(new);
    v int;
  begin
    if tg_op = 'UPDATE' and not atoms_private.changed(to_jsonb(old), data) then
      return null;
    end if;
    if jsonb_typeof(data -> 'version') = 'number' then
      v := (data ->> 'version')::int;
    else
      select coalesce(max(ev.version), 0) + 1 into v
        from public.entity_versions ev where ev.entity_type = tg_table_name and ev.entity_id = new.id;
    end if;
    insert into public.entity_versions (entity_type, entity_id, version, operation, data, changed_by)
    values (tg_table_name, new.id, v, lower(tg_op), atoms_private.snapshot(data), auth.uid())
    on conflict (entity_type, entity_id, version) do update
      set data = excluded.data, changed_by = excluded.changed_by, changed_at = excluded.changed_at,
          operation = excluded.operation;
    return null;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Slugs
-- ---------------------------------------------------------------------------------------------------------
-- Lower-case; runs of anything but a-z0-9 become '-'; trimmed of '-'.
create function atoms_private.slugify(value text) returns text
  language sql immutable parallel safe set search_path = ''
  as $$ select trim(both '-' from regexp_replace(lower(coalesce(value, '')), '[^a-z0-9]+', '-', 'g')) $$;

-- The first free slug among base, base-2, base-3, … under one parent (null parent_column: globally).
create function atoms_private.unique_slug(tbl text, parent_column text, parent uuid, base text, self uuid)
  returns text
  language plpgsql security definer set search_path = ''
  as $$
  declare
    stem text := left(base, 240);
    candidate text := stem;
    n int := 1;
    taken boolean;
  begin
    -- Serialise slug assignment per parent so two concurrent inserts do not both pick the same suffix.
    perform pg_advisory_xact_lock(hashtext('atoms_slug:' || tbl || ':' || coalesce(parent::text, '')));
    loop
      if parent_column is null then
        execute format('select exists (select 1 from public.%I where slug = $1 and id is distinct from $2)', tbl)
          into taken using candidate, self;
      else
        execute format('select exists (select 1 from public.%I where %I = $3 and slug = $1 and id is distinct from $2)',
                       tbl, parent_column)
          into taken using candidate, self, parent;
      end if;
      exit when not taken;
      n := n + 1;
      candidate := stem || '-' || n;
    end loop;
    return candidate;
  end
  $$;

-- Organizations, projects, documents: a given slug is normalised and must start with a letter (else a
-- check_violation); an absent one is derived from the name, made to start with a letter and suffixed -2, -3…
-- until unique under its parent. A given slug that collides is a unique violation (the caller chose it).
create function atoms_private.assign_slug() returns trigger
  language plpgsql set search_path = ''
  as $$
  declare
    parent_column text := case tg_table_name when 'projects' then 'organization_id'
                                             when 'documents' then 'project_id' end;
    fallback text := case tg_table_name when 'organizations' then 'organization'
                                        when 'projects' then 'project' else 'document' end;
    base text;
  begin
    if tg_op = 'UPDATE' and new.slug is not distinct from old.slug then
      return new;
    end if;
    if new.slug is null or btrim(new.slug) = '' then
      base := atoms_private.slugify(new.name);
      if base = '' then
        base := fallback;
      elsif base !~ '^[a-z]' then
        base := fallback || '-' || base;
      end if;
      new.slug := atoms_private.unique_slug(tg_table_name, parent_column,
        case when parent_column is null then null else (to_jsonb(new) ->> parent_column)::uuid end, base, new.id);
    else
      base := atoms_private.slugify(new.slug);
      if base !~ '^[a-z]' then
        raise exception 'slug "%" must start with a letter', new.slug
          using errcode = 'check_violation', constraint = tg_table_name || '_slug_format', table = tg_table_name,
                column = 'slug';
      end if;
      new.slug := left(base, 255);
    end if;
    return new;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Entity defaults
-- ---------------------------------------------------------------------------------------------------------
create function atoms_private.organization_defaults() returns trigger
  language plpgsql set search_path = ''
  as $$
  begin
    if tg_op = 'INSERT' then
      new.created_by := coalesce(auth.uid(), new.created_by);
      new.updated_by := coalesce(auth.uid(), new.updated_by, new.created_by);
      new.owner_id := coalesce(new.owner_id, new.created_by);
    end if;
    if tg_op = 'INSERT' or new.billing_plan is distinct from old.billing_plan then
      new.max_members := case new.billing_plan when 'free' then 5 when 'pro' then 50 else -1 end;
    end if;
    return new;
  end
  $$;

create function atoms_private.project_defaults() returns trigger
  language plpgsql set search_path = ''
  as $$
  begin
    new.created_by := coalesce(auth.uid(), new.created_by);
    new.updated_by := coalesce(auth.uid(), new.updated_by, new.created_by);
    new.owned_by := coalesce(new.owned_by, new.created_by);
    return new;
  end
  $$;

-- Requirements: external id REQ-XXXXXXXX when absent; the document's first block when no block is given
-- (created if the document has none); the block must belong to the same document; status, priority, format,
-- level and type mirrored into properties.
create function atoms_private.requirement_defaults() returns trigger
  language plpgsql set search_path = ''
  as $$
  declare
    block uuid;
  begin
    if new.external_id is null or btrim(new.external_id) = '' then
      new.external_id := 'REQ-' || upper(substr(md5(gen_random_uuid()::text), 1, 8));
    end if;
    if new.block_id is null and new.document_id is not null then
      select b.id into block from public.blocks b
       where b.document_id = new.document_id and b.is_deleted is not true
       order by b.position, b.created_at limit 1;
      if block is null then
        insert into public.blocks (document_id, type, name, position)
        values (new.document_id, 'requirements', 'Requirements', 0)
        returning id into block;
      end if;
      new.block_id := block;
    elsif new.block_id is not null
          and (tg_op = 'INSERT' or new.block_id is distinct from old.block_id
               or new.document_id is distinct from old.document_id)
          and atoms_private.block_document(new.block_id) is distinct from new.document_id then
      raise exception 'block % does not belong to document %', new.block_id, new.document_id
        using errcode = 'check_violation', constraint = 'requirements_block_document', table = 'requirements',
              column = 'block_id';
    end if;
    new.properties := coalesce(new.properties, '{}'::jsonb) || jsonb_build_object(
      'status', new.status, 'priority', new.priority, 'format', new.format, 'level', new.level, 'type', new.type);
    return new;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Soft delete and restore
-- ---------------------------------------------------------------------------------------------------------
-- Deleting stamps deleted_at with the exact clock time; a cascaded delete inherits its parent's stamp, which is
-- how a restore finds exactly the rows that delete cascaded to (a child deleted on its own has its own stamp).
create function atoms_private.soft_delete_stamp() returns trigger
  language plpgsql set search_path = ''
  as $$
  begin
    if new.is_deleted is true and old.is_deleted is not true then
      if not (pg_trigger_depth() > 1 and new.deleted_at is not null
              and new.deleted_at is distinct from old.deleted_at) then
        new.deleted_at := clock_timestamp();
      end if;
      new.deleted_by := coalesce(auth.uid(), new.deleted_by);
    elsif new.is_deleted is not true and old.is_deleted is true then
      new.deleted_at := null;
      new.deleted_by := null;
    elsif new.is_deleted is true then
      new.deleted_at := old.deleted_at;
      new.deleted_by := old.deleted_by;
    end if;
    return new;
  end
  $$;

-- Restoring a row whose parent is still deleted would leave it unreachable: refuse.
create function atoms_private.restore_requires_live_parent() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  declare
    parent_deleted boolean;
  begin
    if not (new.is_deleted is not true and old.is_deleted is true) or pg_trigger_depth() > 1 then
      return new;
    end if;
    parent_deleted := case tg_table_name
      when 'projects' then (select o.is_deleted from public.organizations o where o.id = (to_jsonb(new) ->> 'organization_id')::uuid)
      when 'documents' then (select p.is_deleted from public.projects p where p.id = (to_jsonb(new) ->> 'project_id')::uuid)
      when 'test_req' then (select p.is_deleted from public.projects p where p.id = (to_jsonb(new) ->> 'project_id')::uuid)
      when 'requirements' then (select d.is_deleted from public.documents d where d.id = (to_jsonb(new) ->> 'document_id')::uuid)
      when 'blocks' then (select d.is_deleted from public.documents d where d.id = (to_jsonb(new) ->> 'document_id')::uuid)
    end;
    if parent_deleted is true then
      raise exception 'cannot restore this % row while its parent is deleted; restore the parent', tg_table_name
        using errcode = 'check_violation', constraint = 'entity_restore_parent_deleted', table = tg_table_name;
    end if;
    return new;
  end
  $$;

-- organization -> projects -> documents -> blocks, requirements; project -> tests. Runs with the definer's
-- rights: the caller was authorised to delete (or restore) the parent, which is what the cascade follows.
create function atoms_private.cascade_soft_delete() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    if new.is_deleted is true and old.is_deleted is not true then
      case tg_table_name
        when 'organizations' then
          update public.projects set is_deleted = true, deleted_at = new.deleted_at, deleted_by = new.deleted_by
           where organization_id = new.id and is_deleted is not true;
        when 'projects' then
          update public.documents set is_deleted = true, deleted_at = new.deleted_at, deleted_by = new.deleted_by
           where project_id = new.id and is_deleted is not true;
          update public.test_req set is_deleted = true, deleted_at = new.deleted_at, deleted_by = new.deleted_by
           where project_id = new.id and is_deleted is not true;
        when 'documents' then
          update public.blocks set is_deleted = true, deleted_at = new.deleted_at, deleted_by = new.deleted_by
           where document_id = new.id and is_deleted is not true;
          update public.requirements set is_deleted = true, deleted_at = new.deleted_at, deleted_by = new.deleted_by
           where document_id = new.id and is_deleted is not true;
      end case;
    elsif new.is_deleted is not true and old.is_deleted is true then
      case tg_table_name
        when 'organizations' then
          update public.projects set is_deleted = false
           where organization_id = new.id and is_deleted is true and deleted_at = old.deleted_at;
        when 'projects' then
          update public.documents set is_deleted = false
           where project_id = new.id and is_deleted is true and deleted_at = old.deleted_at;
          update public.test_req set is_deleted = false
           where project_id = new.id and is_deleted is true and deleted_at = old.deleted_at;
        when 'documents' then
          update public.blocks set is_deleted = false
           where document_id = new.id and is_deleted is true and deleted_at = old.deleted_at;
          update public.requirements set is_deleted = false
           where document_id = new.id and is_deleted is true and deleted_at = old.deleted_at;
      end case;
    end if;
    return null;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Memberships and provisioning
-- ---------------------------------------------------------------------------------------------------------
create function atoms_private.add_organization_owner() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    insert into public.organization_members (organization_id, user_id, role, status, updated_by)
    values (new.id, new.owner_id, 'owner', 'active', new.created_by)
    on conflict (organization_id, user_id) do update
      set role = 'owner', status = 'active', is_deleted = false, deleted_at = null, deleted_by = null;
    return null;
  end
  $$;

create function atoms_private.add_project_owner() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    insert into public.project_members (project_id, user_id, role, status, org_id)
    values (new.id, new.created_by, 'owner', 'active', new.organization_id)
    on conflict (project_id, user_id) do update
      set role = 'owner', status = 'active', is_deleted = false, deleted_at = null, deleted_by = null;
    return null;
  end
  $$;

-- Profile insert -> personal organization "<full_name>'s Workspace", slug <email-local>-personal.
create function atoms_private.create_personal_organization() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  declare
    display text := coalesce(nullif(btrim(new.full_name), ''), split_part(new.email, '@', 1));
    base text := atoms_private.slugify(split_part(new.email, '@', 1) || '-personal');
    org uuid;
  begin
    if new.personal_organization_id is not null then
      return null;
    end if;
    if base !~ '^[a-z]' then
      base := 'user-' || base;
    end if;
    insert into public.organizations (name, slug, type, created_by, updated_by, owner_id)
    values (left(display || '''s Workspace', 255), atoms_private.unique_slug('organizations', null, null, base, null),
            'personal', new.id, new.id, new.id)
    returning id into org;
    update public.profiles
       set personal_organization_id = org, current_organization_id = coalesce(current_organization_id, org)
     where id = new.id;
    return null;
  end
  $$;

-- Profile removal takes the personal organization with it (otherwise its last owner could never leave);
-- ownership of any other organization must be handed over first (the last-owner guard refuses).
create function atoms_private.delete_personal_organization() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    delete from public.organizations o
     where o.id = old.personal_organization_id and o.type = 'personal'
       and not exists (select 1 from public.organization_members m
                        where m.organization_id = o.id and m.user_id <> old.id
                          and atoms_private.is_active(m.status, m.is_deleted));
    return null;
  end
  $$;

-- Member limits by plan (free 5, pro 50, enterprise unlimited), counted over active members. The organization
-- row is locked so concurrent additions cannot both take the last seat.
create function atoms_private.enforce_member_limit() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  declare
    plan public.billing_plan;
    seats int;
    active_count int;
  begin
    if not atoms_private.is_active(new.status, new.is_deleted) then
      return new;
    end if;
    if tg_op = 'UPDATE' and atoms_private.is_active(old.status, old.is_deleted)
       and old.organization_id = new.organization_id then
      return new;
    end if;
    select o.billing_plan into plan from public.organizations o where o.id = new.organization_id for update;
    seats := case plan when 'free' then 5 when 'pro' then 50 else null end;
    if seats is null then
      return new;
    end if;
    select count(*) into active_count from public.organization_members m
     where m.organization_id = new.organization_id and m.id is distinct from new.id
       and atoms_private.is_active(m.status, m.is_deleted);
    if active_count >= seats then
      raise exception 'organization member limit reached: the % plan allows % active members', plan, seats
        using errcode = 'check_violation', constraint = 'organization_member_limit', table = 'organization_members',
              hint = 'upgrade the billing plan or deactivate a member';
    end if;
    return new;
  end
  $$;

-- The last active owner of an organization cannot be removed, deactivated or demoted (a hard delete of the
-- organization itself is not blocked).
create function atoms_private.protect_last_owner() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    if old.role <> 'owner' or not atoms_private.is_active(old.status, old.is_deleted) then
      return coalesce(new, old);
    end if;
    if tg_op = 'UPDATE' and new.role = 'owner' and atoms_private.is_active(new.status, new.is_deleted)
       and new.organization_id = old.organization_id then
      return new;
    end if;
    perform 1 from public.organizations o where o.id = old.organization_id for update;
    if not found then
      return coalesce(new, old);
    end if;
    if not exists (
      select 1 from public.organization_members m
       where m.organization_id = old.organization_id and m.id <> old.id and m.role = 'owner'
         and atoms_private.is_active(m.status, m.is_deleted)
    ) then
      raise exception 'the last owner of an organization cannot be removed or demoted'
        using errcode = 'check_violation', constraint = 'organization_last_owner', table = 'organization_members',
              hint = 'make another member an owner first';
    end if;
    return coalesce(new, old);
  end
  $$;

-- organizations.member_count: the number of active members.
create function atoms_private.refresh_member_count() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  declare
    org uuid;
  begin
    foreach org in array array[(to_jsonb(old) ->> 'organization_id')::uuid, (to_jsonb(new) ->> 'organization_id')::uuid]
    loop
      continue when org is null;
      update public.organizations o
         set member_count = (select count(*) from public.organization_members m
                              where m.organization_id = org and atoms_private.is_active(m.status, m.is_deleted))
       where o.id = org
         and o.member_count is distinct from (select count(*) from public.organization_members m
                              where m.organization_id = org and atoms_private.is_active(m.status, m.is_deleted));
    end loop;
    return null;
  end
  $$;

-- An invitee (not an admin of the organization/project) may only answer a pending invitation.
create function atoms_private.guard_invitee_update() returns trigger
  language plpgsql set search_path = ''
  as $$
  declare
    is_admin boolean;
  begin
    if auth.uid() is null then
      return new;
    end if;
    is_admin := case tg_table_name
      when 'organization_invitations' then atoms_private.is_org_admin((to_jsonb(old) ->> 'organization_id')::uuid)
      else atoms_private.can_manage_project((to_jsonb(old) ->> 'project_id')::uuid) end;
    if is_admin then
      return new;
    end if;
    if old.status <> 'pending' or new.status not in ('accepted', 'rejected')
       or (to_jsonb(new) - array['status', 'updated_at', 'updated_by'])
          is distinct from (to_jsonb(old) - array['status', 'updated_at', 'updated_by']) then
      raise exception 'an invitee may only accept or reject a pending invitation'
        using errcode = 'check_violation', constraint = 'invitation_invitee_update', table = tg_table_name;
    end if;
    return new;
  end
  $$;

-- Polymorphic links (trace_links, assignments) must point at existing entities of the declared type.
create function atoms_private.check_entity_reference() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    if tg_table_name = 'trace_links' then
      if atoms_private.entity_project(new.source_type, new.source_id) is null then
        raise exception '% % does not exist', new.source_type, new.source_id
          using errcode = 'foreign_key_violation', constraint = 'trace_links_source_fkey', table = 'trace_links';
      end if;
      if atoms_private.entity_project(new.target_type, new.target_id) is null then
        raise exception '% % does not exist', new.target_type, new.target_id
          using errcode = 'foreign_key_violation', constraint = 'trace_links_target_fkey', table = 'trace_links';
      end if;
    else
      if atoms_private.entity_project(new.entity_type, new.entity_id) is null then
        raise exception '% % does not exist', new.entity_type, new.entity_id
          using errcode = 'foreign_key_violation', constraint = 'assignments_entity_fkey', table = 'assignments';
      end if;
    end if;
    return new;
  end
  $$;

-- Hard-deleting a document or requirement removes the polymorphic links that pointed at it.
create function atoms_private.delete_entity_links() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    delete from public.trace_links where source_id = old.id or target_id = old.id;
    delete from public.assignments where entity_id = old.id;
    return null;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Audit
-- ---------------------------------------------------------------------------------------------------------
create function atoms_private.write_audit_log() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  declare
    old_data jsonb := case when tg_op in ('UPDATE', 'DELETE') then atoms_private.snapshot(to_jsonb(old)) end;
    new_data jsonb := case when tg_op in ('INSERT', 'UPDATE') then atoms_private.snapshot(to_jsonb(new)) end;
    row_data jsonb := coalesce(new_data, old_data);
    entity uuid;
    org uuid;
    project uuid;
    resource public.resource_type;
    action text;
  begin
    if tg_op = 'UPDATE' and not atoms_private.changed(old_data, new_data) then
      return null;
    end if;
    entity := coalesce((row_data ->> 'id')::uuid, (row_data ->> 'organization_id')::uuid);
    project := (row_data ->> 'project_id')::uuid;
    if project is null then
      project := case tg_table_name
        when 'projects' then entity
        when 'documents' then atoms_private.document_project(entity)
        when 'requirements' then atoms_private.document_project((row_data ->> 'document_id')::uuid)
        when 'requirement_tests' then atoms_private.requirement_project((row_data ->> 'requirement_id')::uuid)
        when 'trace_links' then atoms_private.entity_project((row_data ->> 'source_type')::public.entity_type,
                                                            (row_data ->> 'source_id')::uuid)
        when 'assignments' then atoms_private.entity_project((row_data ->> 'entity_type')::public.entity_type,
                                                            (row_data ->> 'entity_id')::uuid)
      end;
    end if;
    org := coalesce((row_data ->> 'organization_id')::uuid, (row_data ->> 'org_id')::uuid,
                    case when tg_table_name = 'organizations' then entity end,
                    (select p.organization_id from public.projects p where p.id = project));
    resource := case tg_table_name
      when 'organizations' then 'organization' when 'projects' then 'project' when 'documents' then 'document'
      when 'requirements' then 'requirement' when 'organization_members' then 'member'
      when 'project_members' then 'member' when 'organization_invitations' then 'invitation'
      when 'project_invitations' then 'invitation' when 'trace_links' then 'trace_link'
      when 'assignments' then 'assignment' when 'external_documents' then 'external_document'
      else null end::public.resource_type;
    action := case
      when tg_op = 'INSERT' then 'create'
      when tg_op = 'DELETE' then 'delete'
      when (new_data ->> 'is_deleted')::boolean is true and (old_data ->> 'is_deleted')::boolean is not true then 'archive'
      when (new_data ->> 'is_deleted')::boolean is not true and (old_data ->> 'is_deleted')::boolean is true then 'restore'
      else 'update' end;
    insert into public.audit_logs (action, actor_id, user_id, entity_type, entity_id, event_type, organization_id,
                                   project_id, resource_id, resource_type, severity, old_data, new_data, source_system)
    values (action, auth.uid(), auth.uid(), tg_table_name, entity,
            case tg_op when 'INSERT' then 'data_created' when 'DELETE' then 'data_deleted' else 'data_updated' end
              ::public.audit_event_type,
            org, project, entity, resource,
            case when tg_op = 'DELETE' then 'medium' else 'low' end::public.audit_severity,
            old_data, new_data, 'database');
    return null;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Embedding queue
-- ---------------------------------------------------------------------------------------------------------
create function atoms_private.enqueue_embedding() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    if new.is_deleted is true then
      return null;
    end if;
    if tg_op = 'UPDATE' and new.name is not distinct from old.name
       and new.description is not distinct from old.description then
      return null;
    end if;
    insert into public.embedding_queue (table_name, row_id, text)
    values (tg_table_name, new.id, btrim(new.name || E'\n\n' || coalesce(new.description, '')))
    on conflict (table_name, row_id) where status = 'pending'
      do update set text = excluded.text, updated_at = now();
    return null;
  end
  $$;

-- ---------------------------------------------------------------------------------------------------------
-- Wiring
-- ---------------------------------------------------------------------------------------------------------
do $$
declare
  t text;
begin
  -- Timestamps and actors: every table with updated_at or an actor column (not the append-only logs).
  for t in
    select distinct c.table_name from information_schema.columns c
      join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
     where c.table_schema = 'public' and tb.table_type = 'BASE TABLE'
       and c.column_name in ('updated_at', 'created_by', 'updated_by', 'create_by')
       and c.table_name not in ('audit_logs', 'schema_migrations', 'entity_versions')
  loop
    execute format('create trigger b40_actors before insert or update on public.%I '
                   'for each row execute function atoms_private.set_actors()', t);
  end loop;

  -- Versions: integer version column bumped; entity_versions for the versioned entities.
  foreach t in array array['projects', 'documents', 'blocks', 'requirements', 'table_rows', 'trace_links',
                           'assignments'] loop
    execute format('create trigger b50_version before update on public.%I '
                   'for each row execute function atoms_private.bump_version()', t);
  end loop;
  foreach t in array array['organizations', 'projects', 'documents', 'blocks', 'requirements', 'test_req',
                           'table_rows', 'trace_links', 'assignments'] loop
    execute format('create trigger a30_entity_version after insert or update on public.%I '
                   'for each row execute function atoms_private.record_version()', t);
  end loop;

  -- Slugs.
  foreach t in array array['organizations', 'projects', 'documents'] loop
    execute format('create trigger b10_slug before insert or update of slug, name on public.%I '
                   'for each row execute function atoms_private.assign_slug()', t);
  end loop;

  -- Soft delete stamps on every table with is_deleted/deleted_at.
  for t in
    select c.table_name from information_schema.columns c
      join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
     where c.table_schema = 'public' and tb.table_type = 'BASE TABLE' and c.column_name = 'deleted_at'
  loop
    execute format('create trigger b30_soft_delete before update of is_deleted, deleted_at, deleted_by on public.%I '
                   'for each row execute function atoms_private.soft_delete_stamp()', t);
  end loop;
  foreach t in array array['projects', 'documents', 'test_req', 'requirements', 'blocks'] loop
    execute format('create trigger b35_restore_parent before update of is_deleted on public.%I '
                   'for each row execute function atoms_private.restore_requires_live_parent()', t);
  end loop;
  foreach t in array array['organizations', 'projects', 'documents'] loop
    execute format('create trigger a20_cascade_soft_delete after update of is_deleted on public.%I '
                   'for each row execute function atoms_private.cascade_soft_delete()', t);
  end loop;

  -- Audit on the core tables.
  foreach t in array array['organizations', 'projects', 'documents', 'requirements', 'test_req',
                           'organization_members', 'project_members', 'organization_invitations',
                           'project_invitations', 'trace_links', 'assignments', 'requirement_tests',
                           'external_documents'] loop
    execute format('create trigger a40_audit after insert or update or delete on public.%I '
                   'for each row execute function atoms_private.write_audit_log()', t);
  end loop;

  -- Embedding queue.
  foreach t in array array['organizations', 'projects', 'documents', 'requirements'] loop
    execute format('create trigger a50_embedding_queue after insert or update of name, description, is_deleted '
                   'on public.%I for each row execute function atoms_private.enqueue_embedding()', t);
  end loop;
end $$;

create trigger b20_defaults before insert or update of billing_plan on public.organizations
  for each row execute function atoms_private.organization_defaults();
create trigger b20_defaults before insert on public.projects
  for each row execute function atoms_private.project_defaults();
create trigger b20_defaults before insert or update on public.requirements
  for each row execute function atoms_private.requirement_defaults();

create trigger a10_owner_membership after insert on public.organizations
  for each row execute function atoms_private.add_organization_owner();
create trigger a10_owner_membership after insert on public.projects
  for each row execute function atoms_private.add_project_owner();
create trigger a10_personal_organization after insert on public.profiles
  for each row execute function atoms_private.create_personal_organization();

-- After the profile row is gone (so the organization's ON DELETE SET NULL finds nothing to touch) but before
-- the foreign-key cascades remove its memberships: after-triggers fire in name order and the internal
-- "RI_ConstraintTrigger_…" names sort after this upper-case one.
create trigger "A00_personal_organization" after delete on public.profiles
  for each row execute function atoms_private.delete_personal_organization();

create trigger b60_member_limit before insert or update of status, is_deleted, organization_id
  on public.organization_members for each row execute function atoms_private.enforce_member_limit();
create trigger b60_last_owner before update or delete on public.organization_members
  for each row execute function atoms_private.protect_last_owner();
create trigger a15_member_count after insert or update or delete on public.organization_members
  for each row execute function atoms_private.refresh_member_count();

create trigger b60_invitee_guard before update on public.organization_invitations
  for each row execute function atoms_private.guard_invitee_update();
create trigger b60_invitee_guard before update on public.project_invitations
  for each row execute function atoms_private.guard_invitee_update();

create trigger b60_entity_reference before insert or update of source_id, source_type, target_id, target_type
  on public.trace_links for each row execute function atoms_private.check_entity_reference();
create trigger b60_entity_reference before insert or update of entity_id, entity_type
  on public.assignments for each row execute function atoms_private.check_entity_reference();
create trigger a60_delete_links after delete on public.documents
  for each row execute function atoms_private.delete_entity_links();
create trigger a60_delete_links after delete on public.requirements
  for each row execute function atoms_private.delete_entity_links();

revoke all on all functions in schema atoms_private from public;
grant execute on all functions in schema atoms_private to authenticated, service_role;
