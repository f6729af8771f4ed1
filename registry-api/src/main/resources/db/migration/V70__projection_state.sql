-- What the reconciler last wrote under each target, so a run after a change compares the documents it rebuilt with
-- these rows instead of listing the store and hashing every document again. A full reconcile lists the store and
-- rewrites a target's rows; an incremental run updates the rows of what it wrote or deleted.
create table projection_object (
    target  text   not null,
    key     text   not null,
    sha256  text   not null,
    size    bigint not null,
    primary key (target, key)
);

-- The newest outbox event a target's projection reflects: the mirror rebuilds only the distributions named by the
-- events after it.
create table projection_watermark (
    target    text   primary key,
    event_id  bigint not null
);
