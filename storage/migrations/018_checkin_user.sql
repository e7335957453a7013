-- A person's check-ins by when they closed: the last one they came out of
-- is found when they write the next one's date (Checkins.LastOut).
CREATE INDEX checkins_user_closed ON checkins (user_id, closed_at) WHERE status IN ('out', 'out_after_alarm');
