-- Content-addressed blobs the registry stored, with the ETag the store gave each one. A seed-layout copy of a
-- blob written with one plain PUT gets the same ETag, so the projection reconciler tells an up-to-date copy
-- from a stale one by listing alone. Rows are written in the publishing transaction; a blob whose publish
-- rolled back stays in the store without a row (harmless) and gets one when it is next needed.
create table blob (
    sha256      text        primary key,
    size        bigint      not null,
    etag        text        not null,
    stored_at   timestamptz not null default now()
);
