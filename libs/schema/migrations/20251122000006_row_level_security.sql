-- Row-level security: enabled AND forced on every table, with exactly the matrix of domain.md.
-- Policies apply to `authenticated`; `anon` has no privileges at all; `service_role` bypasses RLS (BYPASSRLS,
-- as on Supabase) and has every privilege. Operations a role may never perform are also withheld as table
-- privileges, so they fail with 42501 "permission denied" before any row is read.

create function atoms_private.project_has_members(project uuid) returns boolean
  language plpgsql stable security definer set search_path = ''
  as $$ begin return (select exists (select 1 from public.project_members m where m.project_id = project)); end $$;
grant execute on function atoms_private.project_has_members(uuid) to authenticated, service_role;

-- Billing is managed by the service (Stripe sync): a signed-in user creates organizations on the free plan
-- and cannot change plan, cycle or quotas.
create function atoms_private.guard_billing_columns() returns trigger
  language plpgsql set search_path = ''
  as $$
  begin
    if auth.uid() is null or current_user not in ('authenticated', 'anon') then
      return new;
    end if;
    if (tg_op = 'INSERT' and (new.billing_plan <> 'free' or new.billing_cycle <> 'none'))
       or (tg_op = 'UPDATE' and (new.billing_plan is distinct from old.billing_plan
                                 or new.billing_cycle is distinct from old.billing_cycle
                                 or new.max_monthly_requests is distinct from old.max_monthly_requests
                                 or new.max_members is distinct from old.max_members)) then
      raise exception 'billing plan, cycle and quotas are managed by the billing service'
        using errcode = 'insufficient_privilege', table = 'organizations';
    end if;
    return new;
  end
  $$;
create trigger b25_billing_guard before insert or update on public.organizations
  for each row execute function atoms_private.guard_billing_columns();

-- ---------------------------------------------------------------------------------------------------------
-- Enable and force on every table; reset privileges.
-- ---------------------------------------------------------------------------------------------------------
do $$
declare
  t text;
begin
  for t in select tablename from pg_tables where schemaname = 'public' loop
    execute format('alter table public.%I enable row level security', t);
    execute format('alter table public.%I force row level security', t);
    execute format('revoke all on public.%I from anon, authenticated, public', t);
    if t <> 'schema_migrations' then
      execute format('grant all on public.%I to service_role', t);
    end if;
  end loop;
end $$;
revoke all on public.diagram_element_links_with_details from anon, authenticated, public;
grant select on public.diagram_element_links_with_details to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------
-- Organizations and membership
-- ---------------------------------------------------------------------------------------------------------
grant select, insert, update, delete on public.organizations to authenticated;
create policy organizations_select on public.organizations for select to authenticated
  using (atoms_private.is_org_member(id) or created_by = auth.uid());
create policy organizations_insert on public.organizations for insert to authenticated
  with check (auth.uid() is not null and created_by = auth.uid() and owner_id = auth.uid());
create policy organizations_update on public.organizations for update to authenticated
  using (atoms_private.is_org_admin(id)) with check (atoms_private.is_org_admin(id));
create policy organizations_delete on public.organizations for delete to authenticated
  using (atoms_private.is_org_owner(id));

grant select, insert, update, delete on public.organization_members to authenticated;
create policy organization_members_select on public.organization_members for select to authenticated
  using (atoms_private.is_org_member(organization_id) or user_id = auth.uid());
-- Only an owner grants (or touches) the owner role; super_admin is never granted through the API.
create policy organization_members_insert on public.organization_members for insert to authenticated
  with check (atoms_private.is_org_admin(organization_id) and role <> 'super_admin'
              and (role <> 'owner' or atoms_private.is_org_owner(organization_id)));
create policy organization_members_update on public.organization_members for update to authenticated
  using (atoms_private.is_org_admin(organization_id)
         and (role <> 'owner' or atoms_private.is_org_owner(organization_id)))
  with check (atoms_private.is_org_admin(organization_id) and role <> 'super_admin'
              and (role <> 'owner' or atoms_private.is_org_owner(organization_id)));
create policy organization_members_delete on public.organization_members for delete to authenticated
  using ((atoms_private.is_org_admin(organization_id)
          and (role <> 'owner' or atoms_private.is_org_owner(organization_id)))
         or user_id = auth.uid());

grant select, insert, update, delete on public.organization_invitations to authenticated;
create policy organization_invitations_select on public.organization_invitations for select to authenticated
  using (atoms_private.is_org_admin(organization_id) or lower(email) = atoms_private.current_email());
create policy organization_invitations_insert on public.organization_invitations for insert to authenticated
  with check (atoms_private.is_org_admin(organization_id) and role <> 'super_admin'
              and (role <> 'owner' or atoms_private.is_org_owner(organization_id)));
create policy organization_invitations_update on public.organization_invitations for update to authenticated
  using (atoms_private.is_org_admin(organization_id) or lower(email) = atoms_private.current_email())
  with check (atoms_private.is_org_admin(organization_id) or lower(email) = atoms_private.current_email());
create policy organization_invitations_delete on public.organization_invitations for delete to authenticated
  using (atoms_private.is_org_admin(organization_id));

-- ---------------------------------------------------------------------------------------------------------
-- Projects and membership
-- ---------------------------------------------------------------------------------------------------------
grant select, insert, update, delete on public.projects to authenticated;
-- The creator clause covers INSERT … RETURNING: the owner membership is added after the row is checked.
create policy projects_select on public.projects for select to authenticated
  using (atoms_private.can_access_project(id)
         or (created_by = auth.uid() and not atoms_private.project_has_members(id)));
create policy projects_insert on public.projects for insert to authenticated
  with check (atoms_private.is_org_member(organization_id) and created_by = auth.uid());
create policy projects_update on public.projects for update to authenticated
  using (atoms_private.can_manage_project(id))
  with check (atoms_private.can_manage_project(id) and atoms_private.is_org_member(organization_id));
create policy projects_delete on public.projects for delete to authenticated
  using (atoms_private.can_delete_project(id));

grant select, insert, update, delete on public.project_members to authenticated;
create policy project_members_select on public.project_members for select to authenticated
  using (atoms_private.can_access_project(project_id) or user_id = auth.uid());
create policy project_members_insert on public.project_members for insert to authenticated
  with check (atoms_private.can_manage_project(project_id));
create policy project_members_update on public.project_members for update to authenticated
  using (atoms_private.can_manage_project(project_id)) with check (atoms_private.can_manage_project(project_id));
create policy project_members_delete on public.project_members for delete to authenticated
  using (atoms_private.can_manage_project(project_id) or user_id = auth.uid());

grant select, insert, update, delete on public.project_invitations to authenticated;
create policy project_invitations_select on public.project_invitations for select to authenticated
  using (atoms_private.can_access_project(project_id) or lower(email) = atoms_private.current_email());
create policy project_invitations_insert on public.project_invitations for insert to authenticated
  with check (atoms_private.can_manage_project(project_id));
create policy project_invitations_update on public.project_invitations for update to authenticated
  using (atoms_private.can_manage_project(project_id) or lower(email) = atoms_private.current_email())
  with check (atoms_private.can_manage_project(project_id) or lower(email) = atoms_private.current_email());
create policy project_invitations_delete on public.project_invitations for delete to authenticated
  using (atoms_private.can_manage_project(project_id));

-- ---------------------------------------------------------------------------------------------------------
-- Documents and tests: editor+ write, owner/admin/maintainer delete
-- ---------------------------------------------------------------------------------------------------------
grant select, insert, update, delete on public.documents, public.test_req to authenticated;
create policy documents_select on public.documents for select to authenticated
  using (atoms_private.can_access_project(project_id));
create policy documents_insert on public.documents for insert to authenticated
  with check (atoms_private.can_edit_project(project_id));
create policy documents_update on public.documents for update to authenticated
  using (atoms_private.can_edit_project(project_id)) with check (atoms_private.can_edit_project(project_id));
create policy documents_delete on public.documents for delete to authenticated
  using (atoms_private.can_maintain_project(project_id));

create policy test_req_select on public.test_req for select to authenticated
  using (atoms_private.can_access_project(project_id));
create policy test_req_insert on public.test_req for insert to authenticated
  with check (atoms_private.can_edit_project(project_id));
create policy test_req_update on public.test_req for update to authenticated
  using (atoms_private.can_edit_project(project_id)) with check (atoms_private.can_edit_project(project_id));
create policy test_req_delete on public.test_req for delete to authenticated
  using (atoms_private.can_maintain_project(project_id));

-- ---------------------------------------------------------------------------------------------------------
-- Project content: can access the owning project to read, project editor or above to write
-- ---------------------------------------------------------------------------------------------------------
do $$
declare
  t record;
begin
  for t in select * from (values
      ('requirements', 'atoms_private.can_access_document(document_id)', 'atoms_private.can_edit_document(document_id)'),
      ('blocks', 'atoms_private.can_access_document(document_id)', 'atoms_private.can_edit_document(document_id)'),
      ('table_rows', 'atoms_private.can_access_document(document_id)', 'atoms_private.can_edit_document(document_id)'),
      ('columns',
       'atoms_private.can_access_project(coalesce(atoms_private.block_project(block_id), atoms_private.property_project(property_id)))',
       'atoms_private.can_edit_project(coalesce(atoms_private.block_project(block_id), atoms_private.property_project(property_id)))'),
      ('test_matrix_views', 'atoms_private.can_access_project(project_id)', 'atoms_private.can_edit_project(project_id)'),
      ('requirements_closure', 'atoms_private.can_access_project(atoms_private.requirement_project(ancestor_id))',
       'atoms_private.can_edit_project(atoms_private.requirement_project(ancestor_id))'),
      ('react_flow_diagrams', 'atoms_private.can_access_project(project_id)', 'atoms_private.can_edit_project(project_id)'))
      as x(tbl, can_read, can_write)
  loop
    execute format('grant select, insert, update, delete on public.%I to authenticated', t.tbl);
    execute format('create policy %I on public.%I for select to authenticated using (%s)',
                   t.tbl || '_select', t.tbl, t.can_read);
    execute format('create policy %I on public.%I for insert to authenticated with check (%s)',
                   t.tbl || '_insert', t.tbl, t.can_write);
    execute format('create policy %I on public.%I for update to authenticated using (%s) with check (%s)',
                   t.tbl || '_update', t.tbl, t.can_write, t.can_write);
    execute format('create policy %I on public.%I for delete to authenticated using (%s)',
                   t.tbl || '_delete', t.tbl, t.can_write);
  end loop;
end $$;

-- Properties without a project or document are organization-wide: members read, org admins write.
grant select, insert, update, delete on public.properties to authenticated;
create policy properties_select on public.properties for select to authenticated
  using (case when coalesce(project_id, atoms_private.document_project(document_id)) is null
              then atoms_private.is_org_member(org_id)
              else atoms_private.can_access_project(coalesce(project_id, atoms_private.document_project(document_id)))
         end);
create policy properties_insert on public.properties for insert to authenticated
  with check (case when coalesce(project_id, atoms_private.document_project(document_id)) is null
                   then atoms_private.is_org_admin(org_id)
                   else atoms_private.can_edit_project(coalesce(project_id, atoms_private.document_project(document_id)))
              end);
create policy properties_update on public.properties for update to authenticated
  using (case when coalesce(project_id, atoms_private.document_project(document_id)) is null
              then atoms_private.is_org_admin(org_id)
              else atoms_private.can_edit_project(coalesce(project_id, atoms_private.document_project(document_id)))
         end)
  with check (case when coalesce(project_id, atoms_private.document_project(document_id)) is null
                   then atoms_private.is_org_admin(org_id)
                   else atoms_private.can_edit_project(coalesce(project_id, atoms_private.document_project(document_id)))
              end);
create policy properties_delete on public.properties for delete to authenticated
  using (case when coalesce(project_id, atoms_private.document_project(document_id)) is null
              then atoms_private.is_org_admin(org_id)
              else atoms_private.can_edit_project(coalesce(project_id, atoms_private.document_project(document_id)))
         end);

-- Requirement ↔ test links: readable with the requirement's project; writable by an editor of the
-- requirement's project who can also see the test.
grant select, insert, update, delete on public.requirement_tests to authenticated;
create policy requirement_tests_select on public.requirement_tests for select to authenticated
  using (atoms_private.can_access_project(atoms_private.requirement_project(requirement_id)));
create policy requirement_tests_insert on public.requirement_tests for insert to authenticated
  with check (atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id))
              and atoms_private.can_access_project(atoms_private.test_project(test_id)));
create policy requirement_tests_update on public.requirement_tests for update to authenticated
  using (atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id)))
  with check (atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id))
              and atoms_private.can_access_project(atoms_private.test_project(test_id)));
create policy requirement_tests_delete on public.requirement_tests for delete to authenticated
  using (atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id)));

-- Trace links belong to their source's project; the target must be visible to the writer.
grant select, insert, update, delete on public.trace_links to authenticated;
create policy trace_links_select on public.trace_links for select to authenticated
  using (atoms_private.can_access_project(atoms_private.entity_project(source_type, source_id)));
create policy trace_links_insert on public.trace_links for insert to authenticated
  with check (atoms_private.can_edit_project(atoms_private.entity_project(source_type, source_id))
              and atoms_private.can_access_project(atoms_private.entity_project(target_type, target_id)));
create policy trace_links_update on public.trace_links for update to authenticated
  using (atoms_private.can_edit_project(atoms_private.entity_project(source_type, source_id)))
  with check (atoms_private.can_edit_project(atoms_private.entity_project(source_type, source_id))
              and atoms_private.can_access_project(atoms_private.entity_project(target_type, target_id)));
create policy trace_links_delete on public.trace_links for delete to authenticated
  using (atoms_private.can_edit_project(atoms_private.entity_project(source_type, source_id)));

-- Assignments: readable with the entity's project (and by the assignee); written by its editors.
grant select, insert, update, delete on public.assignments to authenticated;
create policy assignments_select on public.assignments for select to authenticated
  using (atoms_private.can_access_project(atoms_private.entity_project(entity_type, entity_id))
         or assignee_id = auth.uid());
create policy assignments_insert on public.assignments for insert to authenticated
  with check (atoms_private.can_edit_project(atoms_private.entity_project(entity_type, entity_id)));
create policy assignments_update on public.assignments for update to authenticated
  using (atoms_private.can_edit_project(atoms_private.entity_project(entity_type, entity_id)))
  with check (atoms_private.can_edit_project(atoms_private.entity_project(entity_type, entity_id)));
create policy assignments_delete on public.assignments for delete to authenticated
  using (atoms_private.can_edit_project(atoms_private.entity_project(entity_type, entity_id)));

-- Excalidraw diagrams: the project's when they have one, else the organization's (members read, admins write).
grant select, insert, update, delete on public.excalidraw_diagrams to authenticated;
create policy excalidraw_diagrams_select on public.excalidraw_diagrams for select to authenticated
  using (case when project_id is not null then atoms_private.can_access_project(project_id)
              else atoms_private.is_org_member(organization_id) end);
create policy excalidraw_diagrams_insert on public.excalidraw_diagrams for insert to authenticated
  with check (case when project_id is not null then atoms_private.can_edit_project(project_id)
                   else atoms_private.is_org_admin(organization_id) end);
create policy excalidraw_diagrams_update on public.excalidraw_diagrams for update to authenticated
  using (case when project_id is not null then atoms_private.can_edit_project(project_id)
              else atoms_private.is_org_admin(organization_id) end)
  with check (case when project_id is not null then atoms_private.can_edit_project(project_id)
                   else atoms_private.is_org_admin(organization_id) end);
create policy excalidraw_diagrams_delete on public.excalidraw_diagrams for delete to authenticated
  using (case when project_id is not null then atoms_private.can_edit_project(project_id)
              else atoms_private.is_org_admin(organization_id) end);

grant select, insert, update, delete on public.diagram_element_links to authenticated;
create policy diagram_element_links_select on public.diagram_element_links for select to authenticated
  using (atoms_private.can_access_excalidraw_diagram(diagram_id));
create policy diagram_element_links_insert on public.diagram_element_links for insert to authenticated
  with check (atoms_private.can_edit_excalidraw_diagram(diagram_id)
              and atoms_private.can_access_project(atoms_private.requirement_project(requirement_id)));
create policy diagram_element_links_update on public.diagram_element_links for update to authenticated
  using (atoms_private.can_edit_excalidraw_diagram(diagram_id))
  with check (atoms_private.can_edit_excalidraw_diagram(diagram_id)
              and atoms_private.can_access_project(atoms_private.requirement_project(requirement_id)));
create policy diagram_element_links_delete on public.diagram_element_links for delete to authenticated
  using (atoms_private.can_edit_excalidraw_diagram(diagram_id));

grant select, insert, update, delete on public.excalidraw_element_links to authenticated;
create policy excalidraw_element_links_select on public.excalidraw_element_links for select to authenticated
  using (case when excalidraw_canvas_id is not null
              then atoms_private.can_access_excalidraw_diagram(excalidraw_canvas_id)
              else atoms_private.can_access_project(atoms_private.requirement_project(requirement_id)) end);
create policy excalidraw_element_links_insert on public.excalidraw_element_links for insert to authenticated
  with check (case when excalidraw_canvas_id is not null
                   then atoms_private.can_edit_excalidraw_diagram(excalidraw_canvas_id)
                   else atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id)) end);
create policy excalidraw_element_links_update on public.excalidraw_element_links for update to authenticated
  using (case when excalidraw_canvas_id is not null
              then atoms_private.can_edit_excalidraw_diagram(excalidraw_canvas_id)
              else atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id)) end)
  with check (case when excalidraw_canvas_id is not null
                   then atoms_private.can_edit_excalidraw_diagram(excalidraw_canvas_id)
                   else atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id)) end);
create policy excalidraw_element_links_delete on public.excalidraw_element_links for delete to authenticated
  using (case when excalidraw_canvas_id is not null
              then atoms_private.can_edit_excalidraw_diagram(excalidraw_canvas_id)
              else atoms_private.can_edit_project(atoms_private.requirement_project(requirement_id)) end);

-- ---------------------------------------------------------------------------------------------------------
-- Profiles: self and people sharing an active organization read; self updates (the editable columns only).
-- Inserted by provisioning (service role / resolve_profile), never deleted through the API.
-- ---------------------------------------------------------------------------------------------------------
grant select on public.profiles to authenticated;
grant update (avatar_url, full_name, job_title, preferences, current_organization_id, pinned_organization_id,
              last_login_at, login_count)
  on public.profiles to authenticated;
create policy profiles_select on public.profiles for select to authenticated
  using (id = auth.uid() or atoms_private.shares_organization(id));
create policy profiles_update on public.profiles for update to authenticated
  using (id = auth.uid()) with check (id = auth.uid());

-- ---------------------------------------------------------------------------------------------------------
-- Own rows
-- ---------------------------------------------------------------------------------------------------------
do $$
declare
  t text;
begin
  foreach t in array array['notifications', 'workspace_contexts', 'atoms_sessions', 'mcp_sessions'] loop
    execute format('grant select, insert, update, delete on public.%I to authenticated', t);
    execute format('create policy %I on public.%I for select to authenticated using (user_id = auth.uid())',
                   t || '_select', t);
    execute format('create policy %I on public.%I for insert to authenticated with check (user_id = auth.uid())',
                   t || '_insert', t);
    execute format('create policy %I on public.%I for update to authenticated using (user_id = auth.uid()) '
                   'with check (user_id = auth.uid())', t || '_update', t);
    execute format('create policy %I on public.%I for delete to authenticated using (user_id = auth.uid())',
                   t || '_delete', t);
  end loop;
end $$;

-- Identity mappings decide who a token is: a user reads and removes their own, only the service creates or
-- changes them (otherwise anyone could claim another identity's subject before its first sign-in).
grant select, delete on public.user_id_mappings to authenticated;
create policy user_id_mappings_select on public.user_id_mappings for select to authenticated
  using (profile_id = auth.uid());
create policy user_id_mappings_delete on public.user_id_mappings for delete to authenticated
  using (profile_id = auth.uid());

-- Platform roles: a user reads their own; the service grants them.
grant select on public.user_roles to authenticated;
create policy user_roles_select on public.user_roles for select to authenticated using (user_id = auth.uid());

-- Versions follow the visibility of their entity; written by triggers only.
grant select on public.entity_versions to authenticated;
create policy entity_versions_select on public.entity_versions for select to authenticated
  using (atoms_private.can_read_entity(entity_type, entity_id));

-- ---------------------------------------------------------------------------------------------------------
-- Audit: org admins read their organization's rows, super admins all; written by triggers and the service.
-- ---------------------------------------------------------------------------------------------------------
grant select on public.audit_logs to authenticated;
create policy audit_logs_select on public.audit_logs for select to authenticated
  using (atoms_private.is_super_admin()
         or (organization_id is not null and atoms_private.is_org_admin(organization_id)));

-- ---------------------------------------------------------------------------------------------------------
-- Organization-owned service data: members read, the service writes.
-- ---------------------------------------------------------------------------------------------------------
do $$
declare
  t text;
begin
  foreach t in array array['billing_cache', 'stripe_customers', 'usage_logs', 'external_documents'] loop
    execute format('grant select on public.%I to authenticated', t);
    execute format('create policy %I on public.%I for select to authenticated '
                   'using (atoms_private.is_org_member(organization_id))', t || '_select', t);
  end loop;
end $$;

-- oauth_*, rag_*, embedding_cache, embedding_queue: service only (no privileges, no policies for users).
