-- A facility's search text as it sounds (soundText): English spellings and
-- Russian ones transliterated meet there ("Конро" and Conroe, "Бейкерсфилд"
-- and Bakersfield), for the queries the search text itself does not match.
ALTER TABLE facilities ADD COLUMN search_sound text NOT NULL DEFAULT '';
