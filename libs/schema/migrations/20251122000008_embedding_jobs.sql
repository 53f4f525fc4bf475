-- The embedding worker's side of embedding_queue (service role only): claim jobs without two workers taking the
-- same one, store the result on the entity, and record failures with bounded retries.

-- claim_embedding_jobs(limit, stale_after): up to `limit` pending jobs, oldest first, become `processing` and are
-- returned; rows another worker has locked are skipped; jobs left `processing` longer than `stale_after` (a
-- crashed worker) are claimed again.
create function public.claim_embedding_jobs(p_limit integer default 10, p_stale_after interval default '5 minutes')
  returns setof public.embedding_queue
  language plpgsql set search_path = ''
  as $$
  begin
    if p_limit is null or p_limit < 1 or p_limit > 1000 then
      raise exception 'limit must be between 1 and 1000' using errcode = 'invalid_parameter_value';
    end if;
    return query
      update public.embedding_queue q set status = 'processing', updated_at = now()
       where q.id in (
         select j.id from public.embedding_queue j
          where j.status = 'pending' or (j.status = 'processing' and j.updated_at < now() - p_stale_after)
          order by j.created_at
          limit p_limit
          for update skip locked)
      returning q.*;
  end
  $$;

-- complete_embedding_job(job, embedding): writes the 768-number embedding to the job's row (organizations,
-- projects, documents or requirements) and marks the job completed. Returns whether the row still existed.
create function public.complete_embedding_job(p_job uuid, p_embedding double precision[]) returns boolean
  language plpgsql set search_path = ''
  as $$
  declare
    job public.embedding_queue;
    found_row boolean;
  begin
    if p_embedding is null or cardinality(p_embedding) <> 768 then
      raise exception 'an embedding has 768 dimensions (got %)', coalesce(cardinality(p_embedding), 0)
        using errcode = 'invalid_parameter_value';
    end if;
    select * into job from public.embedding_queue q where q.id = p_job for update;
    if not found or job.status <> 'processing' then
      raise exception 'embedding job % is not being processed', p_job using errcode = 'no_data_found';
    end if;
    -- double precision[] is assigned to vector(768) by pgvector's cast, or stored as is without pgvector.
    execute format('update public.%I set embedding = $1 where id = $2', job.table_name) using p_embedding, job.row_id;
    get diagnostics found_row = row_count;
    update public.embedding_queue set status = 'completed', error = null, updated_at = now() where id = p_job;
    return found_row;
  end
  $$;

-- fail_embedding_job(job, error, max_retries): counts the attempt; the job goes back to pending until
-- max_retries attempts failed (then `failed`), or is marked failed at once when a newer pending job for the same
-- row supersedes it. Returns the job's new status.
create function public.fail_embedding_job(p_job uuid, p_error text, p_max_retries integer default 3) returns text
  language plpgsql set search_path = ''
  as $$
  declare
    job public.embedding_queue;
    next_status text;
  begin
    select * into job from public.embedding_queue q where q.id = p_job for update;
    if not found or job.status <> 'processing' then
      raise exception 'embedding job % is not being processed', p_job using errcode = 'no_data_found';
    end if;
    next_status := case
      when job.retry_count + 1 >= p_max_retries then 'failed'
      when exists (select 1 from public.embedding_queue o
                    where o.table_name = job.table_name and o.row_id = job.row_id and o.status = 'pending') then 'failed'
      else 'pending' end;
    update public.embedding_queue
       set status = next_status, retry_count = retry_count + 1, error = left(p_error, 2000), updated_at = now()
     where id = p_job;
    return next_status;
  end
  $$;

revoke all on function public.claim_embedding_jobs(integer, interval),
  public.complete_embedding_job(uuid, double precision[]), public.fail_embedding_job(uuid, text, integer)
  from public, anon, authenticated;
grant execute on function public.claim_embedding_jobs(integer, interval),
  public.complete_embedding_job(uuid, double precision[]), public.fail_embedding_job(uuid, text, integer)
  to service_role;
