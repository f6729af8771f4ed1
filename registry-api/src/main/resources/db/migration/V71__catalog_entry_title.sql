-- The A and B weighted part of a catalog entry's text-search document (its name, distribution, abstract and tags,
-- weighted as catalog_document weighs them, without the provided names and the description), GIN-indexed: search
-- takes the hits to rank from it first, so a broad query ranks a bounded set of its strongest matches instead of
-- whichever rows the whole document's index returns first.
create function catalog_title(name text, distribution text, abstract text, tags text[]) returns tsvector
    language sql immutable parallel safe
return setweight(to_tsvector('simple', name || ' ' || replace(name, '_', ' ')), 'A')
    || setweight(to_tsvector('simple', distribution), 'B')
    || setweight(to_tsvector('english', coalesce(abstract, '')), 'B')
    || setweight(to_tsvector('simple', array_to_string(tags, ' ')), 'B');

alter table catalog_entry
    add column title tsvector generated always as (catalog_title(name, distribution, abstract, tags)) stored;

create index catalog_entry_title on catalog_entry using gin (title);
