-- Users and their API tokens. A user with a tenant belongs to that tenant: its tokens read and publish that
-- tenant's private scope and no other.
create table registry_user (
    id          bigserial primary key,
    name        text        not null unique,
    tenant      text,
    created_at  timestamptz not null default now()
);

-- Only the SHA-256 of a token is kept; the token itself is shown once, when it is created.
create table api_token (
    id          bigserial primary key,
    user_id     bigint      not null references registry_user (id),
    token_hash  text        not null unique,
    label       text,
    scopes      text[]      not null,
    expires_at  timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz not null default now()
);

-- A distribution name in a scope ('' is the public scope) belongs to whoever published it first.
create table distribution (
    scope       text        not null,
    name        text        not null,
    created_at  timestamptz not null default now(),
    primary key (scope, name)
);

create table distribution_maintainer (
    scope       text        not null,
    name        text        not null,
    user_id     bigint      not null references registry_user (id),
    role        text        not null check (role in ('owner', 'maintainer')),
    added_at    timestamptz not null default now(),
    primary key (scope, name, user_id),
    foreign key (scope, name) references distribution (scope, name)
);

-- An extension name in a scope is provided by one distribution only, so two owners cannot fight over it.
create table extension_name (
    scope         text not null,
    name          text not null,
    distribution  text not null,
    primary key (scope, name),
    foreign key (scope, distribution) references distribution (scope, name)
);

-- Versions are immutable: the unique constraint is what makes exactly one of two concurrent publishes win.
create table release (
    id            bigserial primary key,
    scope         text        not null,
    distribution  text        not null,
    version       text        not null,
    abstract      text,
    description   text,
    license       text,
    tags          text[]      not null default '{}',
    metadata      jsonb       not null,
    published_by  bigint      not null references registry_user (id),
    published_at  timestamptz not null default now(),
    unique (scope, distribution, version),
    foreign key (scope, distribution) references distribution (scope, name)
);

-- One extension of a release, built for one Postgres major, with what the loader needs to know about it.
create table release_extension (
    id               bigserial primary key,
    release_id       bigint  not null references release (id),
    scope            text    not null,
    pg_major         int     not null,
    name             text    not null,
    default_version  text,
    control          text    not null,
    comment          text,
    libraries        text[]  not null,
    requires         text[]  not null,
    preload          text    not null,
    trusted          boolean not null,
    superuser        boolean not null,
    unique (release_id, pg_major, name)
);

create index release_extension_current on release_extension (scope, pg_major, name, id desc);

create table release_file (
    extension_id  bigint not null references release_extension (id),
    path          text   not null,
    sha256        text   not null,
    size          bigint not null,
    primary key (extension_id, path)
);

create index release_file_sha256 on release_file (sha256);

-- The current state of each extension name per scope, for listing and full-text search.
create table catalog_entry (
    scope          text        not null,
    name           text        not null,
    distribution   text        not null,
    version        text        not null,
    abstract       text,
    description    text,
    tags           text[]      not null default '{}',
    pg_majors      int[]       not null,
    updated_at     timestamptz not null default now(),
    document       tsvector    not null,
    primary key (scope, name)
);

create index catalog_entry_document on catalog_entry using gin (document);
create index catalog_entry_tags on catalog_entry using gin (tags);
create index catalog_entry_pg_majors on catalog_entry using gin (pg_majors);

-- Who did what, when: one row per mutation, written in the mutation's own transaction.
create table audit_event (
    id        bigserial primary key,
    at        timestamptz not null default now(),
    actor     text        not null,
    action    text        not null,
    target    text        not null,
    detail    jsonb       not null default '{}'
);

-- Postgres bundles built by CI; the bytes live in S3 under bundles/sha256/<hex>.tar.zst.
create table bundle (
    sha256         text        primary key,
    size           bigint      not null,
    pg_versions    jsonb       not null,
    manifest       jsonb       not null,
    registered_by  bigint      not null references registry_user (id),
    registered_at  timestamptz not null default now()
);
