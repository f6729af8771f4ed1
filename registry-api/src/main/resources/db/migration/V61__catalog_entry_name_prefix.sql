-- Search puts names equal to or starting with the query first, whatever their text-search rank: this index finds
-- them without ranking every full-text hit.
create index catalog_entry_name_prefix on catalog_entry (lower(name) text_pattern_ops);
