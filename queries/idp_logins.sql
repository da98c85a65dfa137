-- idp_logins: successful logins per connection in the log window of side `at_side`'s Auth0 snapshot
-- (the --log-days days ending on the snapshot's as-of date). Empty when the snapshot has no logs.
-- grain: one row per connection with logins in the window.
-- columns:
--   connection_id  VARCHAR
--   logins         BIGINT
SELECT l.connection_id, sum(l.logins)::BIGINT AS logins
FROM auth0_logins l
JOIN selection s ON s.snapshot_id = l.snapshot_id AND s.source = 'auth0' AND s.side = at_side
JOIN auth0_log_window w ON w.snapshot_id = l.snapshot_id AND l.day BETWEEN w.first_day AND w.last_day
GROUP BY l.connection_id
ORDER BY l.connection_id
