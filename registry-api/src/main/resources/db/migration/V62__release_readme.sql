-- The release's README as its publisher wrote it (Markdown or plain text): the top-level README of
-- its PGXN source distribution, or the upload's 'readme' part. Null when it has neither; pages then
-- show the META.json description.
alter table release add column readme text;
