-- Access predicates used by the row-level security policies and the triggers.
--
-- They are SECURITY DEFINER because they must read the membership tables, which are themselves protected by
-- RLS: evaluated with the caller's rights, a policy on organization_members that asks "is the caller a member?"
-- would recurse into itself. Each one only answers a yes/no (or an id) about auth.uid(), never returns rows,
-- runs with an empty search_path (every name qualified) and is STABLE. They are PL/pgSQL rather than SQL
-- functions on purpose: PL/pgSQL caches its query plans for the session, while a SQL function with a SET clause
-- cannot be inlined and is re-planned for every statement, which would dominate a one-row RLS-checked select.

-- No SET clause: a plain SQL function is inlined into the queries that use it.
create function atoms_private.is_active(status public.user_status, is_deleted boolean) returns boolean
  language sql immutable parallel safe
  as $$ select status is distinct from 'inactive'::public.user_status and is_deleted is not true $$;

-- The caller's active role in an organization, or null.
create function atoms_private.org_role(org uuid) returns public.user_role_type
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select m.role from public.organization_members m
     where m.organization_id = org and m.user_id = auth.uid()
       and atoms_private.is_active(m.status, m.is_deleted)); end $$;

create function atoms_private.is_org_member(org uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select atoms_private.org_role(org) is not null); end $$;

-- "Org admin": an active owner or admin (super_admin, the platform administrator, counts as admin).
create function atoms_private.is_org_admin(org uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select coalesce(atoms_private.org_role(org) in ('owner', 'admin', 'super_admin'), false)); end $$;

create function atoms_private.is_org_owner(org uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select coalesce(atoms_private.org_role(org) = 'owner', false)); end $$;

-- The caller's active role in a project, or null.
create function atoms_private.project_role(project uuid) returns public.project_role
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select m.role from public.project_members m
     where m.project_id = project and m.user_id = auth.uid()
       and atoms_private.is_active(m.status, m.is_deleted)); end $$;

-- "Can access project": an active project member; or visibility organization/team and an active org member;
-- or visibility public; or an org admin.
create function atoms_private.can_access_project(project uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$
  declare
    uid uuid := auth.uid();
  begin
    -- One query, no nested helper calls: this predicate runs for every row a project-scoped select returns.
    return exists (
      select 1 from public.projects p
       where p.id = project
         and (
           p.visibility = 'public'
           or exists (
             select 1 from public.project_members m
              where m.project_id = p.id and m.user_id = uid and atoms_private.is_active(m.status, m.is_deleted))
           or exists (
             select 1 from public.organization_members om
              where om.organization_id = p.organization_id and om.user_id = uid
                and atoms_private.is_active(om.status, om.is_deleted)
                and (p.visibility in ('organization', 'team') or om.role in ('owner', 'admin', 'super_admin')))
         )
    );
  end
  $$;

-- Can access the project owning a document (the predicate of requirements, blocks, table rows).
create function atoms_private.can_access_document(doc uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$
  declare
    uid uuid := auth.uid();
  begin
    return exists (
      select 1 from public.documents d join public.projects p on p.id = d.project_id
       where d.id = doc
         and (
           p.visibility = 'public'
           or exists (
             select 1 from public.project_members m
              where m.project_id = p.id and m.user_id = uid and atoms_private.is_active(m.status, m.is_deleted))
           or exists (
             select 1 from public.organization_members om
              where om.organization_id = p.organization_id and om.user_id = uid
                and atoms_private.is_active(om.status, om.is_deleted)
                and (p.visibility in ('organization', 'team') or om.role in ('owner', 'admin', 'super_admin')))
         )
    );
  end
  $$;

-- Project editor or above on the project owning a document.
create function atoms_private.can_edit_document(doc uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$
  begin
    return exists (
      select 1 from public.documents d join public.project_members m on m.project_id = d.project_id
       where d.id = doc and m.user_id = auth.uid() and atoms_private.is_active(m.status, m.is_deleted)
         and m.role in ('owner', 'admin', 'maintainer', 'editor')
    );
  end
  $$;

-- Project editor or above (owner, admin, maintainer, editor): may write the project's content.
create function atoms_private.can_edit_project(project uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select coalesce(atoms_private.project_role(project) in ('owner', 'admin', 'maintainer', 'editor'), false)); end $$;

-- Project owner/admin/maintainer: may delete documents and tests.
create function atoms_private.can_maintain_project(project uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select coalesce(atoms_private.project_role(project) in ('owner', 'admin', 'maintainer'), false)); end $$;

-- Project owner/admin, or org admin: may change the project and its membership.
create function atoms_private.can_manage_project(project uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select coalesce(atoms_private.project_role(project) in ('owner', 'admin'), false)
        or atoms_private.is_org_admin((select p.organization_id from public.projects p where p.id = project))); end $$;

-- Project owner, or org owner: may hard-delete the project.
create function atoms_private.can_delete_project(project uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select coalesce(atoms_private.project_role(project) = 'owner', false)
        or atoms_private.is_org_owner((select p.organization_id from public.projects p where p.id = project))); end $$;

-- Owning project of content rows (null when the row does not exist).
create function atoms_private.document_project(doc uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select d.project_id from public.documents d where d.id = doc); end $$;

create function atoms_private.block_project(block uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select d.project_id from public.blocks b join public.documents d on d.id = b.document_id where b.id = block); end $$;

create function atoms_private.block_document(block uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select b.document_id from public.blocks b where b.id = block); end $$;

create function atoms_private.requirement_project(req uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select d.project_id from public.requirements r join public.documents d on d.id = r.document_id where r.id = req); end $$;

create function atoms_private.test_project(test uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select t.project_id from public.test_req t where t.id = test); end $$;

create function atoms_private.property_project(property uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select coalesce(p.project_id, d.project_id)
      from public.properties p left join public.documents d on d.id = p.document_id
     where p.id = property); end $$;

create function atoms_private.entity_project(kind public.entity_type, entity uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select case kind
      when 'document' then atoms_private.document_project(entity)
      when 'requirement' then atoms_private.requirement_project(entity)
    end); end $$;

create function atoms_private.excalidraw_diagram_project(diagram uuid) returns uuid
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select d.project_id from public.excalidraw_diagrams d where d.id = diagram); end $$;

-- Diagrams without a project belong to their organization: readable by its members, writable by its admins.
create function atoms_private.can_access_excalidraw_diagram(diagram uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select exists (
      select 1 from public.excalidraw_diagrams d
       where d.id = diagram
         and case when d.project_id is not null then atoms_private.can_access_project(d.project_id)
                  else atoms_private.is_org_member(d.organization_id) end
    )); end $$;

create function atoms_private.can_edit_excalidraw_diagram(diagram uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select exists (
      select 1 from public.excalidraw_diagrams d
       where d.id = diagram
         and case when d.project_id is not null then atoms_private.can_edit_project(d.project_id)
                  else atoms_private.is_org_admin(d.organization_id) end
    )); end $$;

-- The caller's e-mail: the profile's, else the token's `email` claim. Lower-cased.
create function atoms_private.current_email() returns text
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select lower(coalesce((select p.email from public.profiles p where p.id = auth.uid()), auth.jwt() ->> 'email'))); end $$;

-- Profiles visible to the caller: self and anyone sharing an organization where both are active members.
create function atoms_private.shares_organization(profile uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select exists (
      select 1 from public.organization_members mine
        join public.organization_members theirs on theirs.organization_id = mine.organization_id
       where mine.user_id = auth.uid() and theirs.user_id = profile
         and atoms_private.is_active(mine.status, mine.is_deleted)
         and atoms_private.is_active(theirs.status, theirs.is_deleted)
    )); end $$;

-- Platform administrator: a user_roles row with admin_role super_admin (granted by the service role only).
create function atoms_private.is_super_admin() returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select exists (select 1 from public.user_roles r where r.user_id = auth.uid() and r.admin_role = 'super_admin')); end $$;

-- Read access to a versioned entity (entity_versions rows follow the entity's own visibility).
create function atoms_private.can_read_entity(entity_table text, entity uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$
  begin
    return case entity_table
      when 'organizations' then atoms_private.is_org_member(entity)
        or exists (select 1 from public.organizations o where o.id = entity and o.created_by = auth.uid())
      when 'projects' then atoms_private.can_access_project(entity)
      when 'documents' then atoms_private.can_access_project(atoms_private.document_project(entity))
      when 'requirements' then atoms_private.can_access_project(atoms_private.requirement_project(entity))
      when 'test_req' then atoms_private.can_access_project(atoms_private.test_project(entity))
      when 'blocks' then atoms_private.can_access_project(atoms_private.block_project(entity))
      when 'table_rows' then atoms_private.can_access_project(
        (select atoms_private.document_project(t.document_id) from public.table_rows t where t.id = entity))
      when 'trace_links' then exists (
        select 1 from public.trace_links t where t.id = entity
           and atoms_private.can_access_project(atoms_private.entity_project(t.source_type, t.source_id)))
      when 'assignments' then exists (
        select 1 from public.assignments a where a.id = entity
           and (a.assignee_id = auth.uid()
                or atoms_private.can_access_project(atoms_private.entity_project(a.entity_type, a.entity_id))))
      else false
    end;
  end
  $$;

revoke all on all functions in schema atoms_private from public;
grant execute on all functions in schema atoms_private to authenticated, service_role;
