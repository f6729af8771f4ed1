-- A number that changes whenever a target's projection_object rows change, so an instance that keeps a target's rows
-- in memory reads them again only after another run (on any instance) changed them. Revisions come from a sequence:
-- a number taken by a transaction that rolled back is never handed out again, so a revision names one set of rows.
create sequence projection_revision_seq;

create table projection_revision (
    target    text   primary key,
    revision  bigint not null
);
