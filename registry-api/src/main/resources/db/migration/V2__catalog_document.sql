-- The text-search document of a catalog entry, in one place so that every writer weighs fields the same way:
-- the extension name (whole and split at underscores) first, then the distribution and its sibling extensions,
-- abstract and tags, then the description.
create function catalog_document(name text, distribution text, provides text, abstract text, tags text[],
                                 description text) returns tsvector
    language sql immutable parallel safe
return setweight(to_tsvector('simple', name || ' ' || replace(name, '_', ' ')), 'A')
    || setweight(to_tsvector('simple', distribution || ' ' || coalesce(provides, '')), 'B')
    || setweight(to_tsvector('english', coalesce(abstract, '')), 'B')
    || setweight(to_tsvector('simple', array_to_string(tags, ' ')), 'B')
    || setweight(to_tsvector('english', coalesce(description, '')), 'C');
