-- What a region is found by besides its code and Chinese name: pinyin,
-- initials and English name (see revita-methods::search). Rows loaded before
-- this migration are filled in by the store right after it runs.
ALTER TABLE regions ADD COLUMN search_key TEXT;
