-- A yanked release stays downloadable by its exact version but leaves manifests, indexes and search.
alter table release
    add column yanked_at    timestamptz,
    add column yank_reason  text,
    add column yanked_by    bigint references registry_user (id);

alter table distribution
    add column deprecated_at       timestamptz,
    add column deprecation_reason  text,
    add column successor           text;

-- An owner offers a distribution to another user; it changes hands when that user accepts.
create table ownership_offer (
    scope       text        not null,
    name        text        not null,
    offered_by  bigint      not null references registry_user (id),
    offered_to  bigint      not null references registry_user (id),
    offered_at  timestamptz not null default now(),
    primary key (scope, name),
    foreign key (scope, name) references distribution (scope, name)
);

-- Bundle pins per environment. A proposal takes effect only when a different user approves it; the database
-- refuses self-approval too. Rows are never deleted: they are the pin history.
create table bundle_pin (
    id           bigserial   primary key,
    environment  text        not null check (environment ~ '^[a-z][a-z0-9-]{0,62}$'),
    sha256       text        not null references bundle (sha256),
    pg_versions  text[]      not null,
    reason       text,
    proposed_by  bigint      not null references registry_user (id),
    proposed_at  timestamptz not null default now(),
    approved_by  bigint      references registry_user (id),
    approved_at  timestamptz,
    state        text        not null default 'proposed' check (state in ('proposed', 'effective', 'superseded')),
    check (approved_by is null or approved_by <> proposed_by)
);

create unique index bundle_pin_effective on bundle_pin (environment) where state = 'effective';
create index bundle_pin_history on bundle_pin (environment, id);
