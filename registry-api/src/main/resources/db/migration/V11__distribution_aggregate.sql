-- The distribution aggregate (owners and maintainers, an open ownership offer, deprecation) is one root row and
-- its parts; the parts reference the root by a surrogate key, as Spring Data JDBC aggregates do.
alter table distribution add column id bigserial not null unique;

alter table distribution_maintainer add column distribution_id bigint references distribution (id);
update distribution_maintainer m set distribution_id = d.id from distribution d where d.scope = m.scope and d.name = m.name;
alter table distribution_maintainer drop constraint distribution_maintainer_pkey;
alter table distribution_maintainer drop column scope, drop column name;
alter table distribution_maintainer alter column distribution_id set not null;
alter table distribution_maintainer add primary key (distribution_id, user_id);

-- at most one open offer per distribution
alter table ownership_offer add column distribution_id bigint references distribution (id);
update ownership_offer o set distribution_id = d.id from distribution d where d.scope = o.scope and d.name = o.name;
alter table ownership_offer drop constraint ownership_offer_pkey;
alter table ownership_offer drop column scope, drop column name;
alter table ownership_offer alter column distribution_id set not null;
alter table ownership_offer add primary key (distribution_id);
