-- The decision clock now pauses for "more information" and runs on at resubmission, the time it stood added to
-- the time allowed (paused_ms). Before, resubmission restarted the clock from then (submitted_at was reset), and
-- paused_ms only kept a record: it starts afresh, so no request is given its earlier pauses a second time.
UPDATE "transfer" SET "paused_ms" = 0;
