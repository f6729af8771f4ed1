-- The platform (<os>-<arch>-<libc>) a build of an extension is for. Builds published before platforms
-- existed were all x86-64 glibc builds, which is what the default says.
alter table release_extension add column platform text not null default 'linux-amd64-gnu';

-- One build per extension, major and platform in a release.
alter table release_extension drop constraint release_extension_release_id_pg_major_name_key;
alter table release_extension add constraint release_extension_build_key unique (release_id, pg_major, platform, name);

drop index release_extension_current;
create index release_extension_current on release_extension (scope, pg_major, platform, name, id desc);
