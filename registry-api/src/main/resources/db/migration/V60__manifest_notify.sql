-- Every change to what a compute manifest shows (a release extension or its files added, changed or removed, a
-- release yanked or restored) notifies the channel 'pgext_manifest' with '<pg_major> <scope>'. Notifications are
-- delivered on commit only and identical ones in a transaction are folded into one, so every registry instance
-- learns of each committed change once and can answer manifest requests from memory in between. No row is
-- written and no lock is taken: concurrent publishes do not wait for each other. The transaction-local setting
-- pgext.manifest_changed tells the registry instance that commits the change to drop its own cache at once.
create function manifest_notify(p_pg_major int, p_scope text) returns void language plpgsql as $$
begin
    perform pg_notify('pgext_manifest', p_pg_major || ' ' || p_scope);
    perform set_config('pgext.manifest_changed', 'on', true);
end $$;

create function manifest_notify_extension() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform manifest_notify(old.pg_major, old.scope);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform manifest_notify(new.pg_major, new.scope);
    end if;
    return null;
end $$;

create trigger manifest_notify_extension after insert or update or delete on release_extension
    for each row execute function manifest_notify_extension();

create function manifest_notify_release() returns trigger language plpgsql as $$
begin
    perform manifest_notify(k.pg_major, k.scope)
    from (select distinct e.scope, e.pg_major from release_extension e where e.release_id = new.id) k;
    return null;
end $$;

create trigger manifest_notify_release after update on release
    for each row when (old.yanked_at is distinct from new.yanked_at)
    execute function manifest_notify_release();

-- Files are inserted with their extension (whose insert notifies); a later change to them notifies too.
create function manifest_notify_file() returns trigger language plpgsql as $$
begin
    perform manifest_notify(e.pg_major, e.scope) from release_extension e
    where e.id = case when tg_op = 'DELETE' then old.extension_id else new.extension_id end;
    return null;
end $$;

create trigger manifest_notify_file after update or delete on release_file
    for each row execute function manifest_notify_file();
