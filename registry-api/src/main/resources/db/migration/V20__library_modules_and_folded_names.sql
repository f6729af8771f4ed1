-- A library module (auto_explain, passwordcheck, ...) is published without a control file: its entry has none.
alter table release_extension alter column control drop not null;

-- Postgres folds unquoted names to lower case, so names that differ only in case are one name to a user.
-- The publish checks refuse such a name with a readable problem first; these indexes make it hold under races.
-- (A catalog that already holds two such names in one scope must have one of them renamed before this migration.)
create unique index distribution_name_folded on distribution (scope, lower(name));
create unique index extension_name_folded on extension_name (scope, lower(name));
