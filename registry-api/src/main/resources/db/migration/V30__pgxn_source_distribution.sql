-- META.json exactly as the publisher sent it (the jsonb column reorders keys and spacing), so the
-- PGXN interface can serve it back byte for byte; null for releases published before this column.
alter table release add column metadata_text text;

-- The release's PGXN source distribution (a zip), when it carries one: a content-addressed blob
-- and the SHA-1 PGXN clients verify a download with.
alter table release add column source_sha256 text,
    add column source_sha1 text,
    add column source_size bigint,
    add constraint release_source_complete check ((source_sha256 is null) = (source_sha1 is null)
        and (source_sha256 is null) = (source_size is null));
