-- Durable background work. Any registry instance claims a due job with FOR UPDATE SKIP LOCKED and holds it
-- under a lease; when an instance dies its lease runs out and another instance takes the job over. A job is
-- also the operation resource that a 202 response points at.
create table job (
    id            bigserial   primary key,
    kind          text        not null,
    -- a pending job with the same key absorbs a new request for the same work (for example one mirror refresh)
    dedupe_key    text,
    payload       jsonb       not null default '{}',
    state         text        not null default 'pending'
                  check (state in ('pending', 'running', 'succeeded', 'dead', 'superseded')),
    attempts      int         not null default 0,
    max_attempts  int         not null,
    run_at        timestamptz not null default now(),
    lease_owner   text,
    lease_until   timestamptz,
    progress      int         not null default 0 check (progress between 0 and 100),
    result        jsonb,
    last_error    text,
    created_by    text,
    created_at    timestamptz not null default now(),
    finished_at   timestamptz
);

create unique index job_pending_dedupe on job (dedupe_key) where state = 'pending' and dedupe_key is not null;
create index job_due on job (run_at) where state in ('pending', 'running');

-- The outbox: one row per change, written in the change's own transaction. Writers take a transaction-scoped
-- advisory lock before inserting, so ids become visible in commit order and a reader that walks ids never
-- skips an event that commits late.
create table event (
    id          bigserial   primary key,
    type        text        not null,
    subject     text        not null,
    tenant      text,
    data        jsonb       not null,
    created_at  timestamptz not null default now()
);

create index event_type on event (type, id);

-- A webhook subscription walks the outbox in id order; cursor is the last event it is done with. The row is
-- locked while one of its events is being delivered, so two instances never deliver the same subscription's
-- events at once and the next event waits for the previous one.
create table webhook_subscription (
    id               bigserial   primary key,
    owner_id         bigint      not null references registry_user (id),
    url              text        not null,
    event_types      text[]      not null,
    secret           text        not null,
    cursor           bigint      not null,
    attempts         int         not null default 0,
    next_attempt_at  timestamptz not null default now(),
    last_error       text,
    active           boolean     not null default true,
    created_at       timestamptz not null default now()
);

-- Events a subscriber did not accept within the retry budget; redelivered by hand.
create table webhook_dead_letter (
    subscription_id  bigint      not null references webhook_subscription (id),
    event_id         bigint      not null references event (id),
    attempts         int         not null,
    last_error       text,
    dead_at          timestamptz not null default now(),
    redelivered_at   timestamptz,
    primary key (subscription_id, event_id)
);
