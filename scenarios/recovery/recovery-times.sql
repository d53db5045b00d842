-- Per sweep point of scenarios/recovery (sqlite3 -box results/recovery.sqlite
-- < scenarios/recovery/recovery-times.sql): how many requests Neurosurgeon
-- sent into the slow link (60-120 s), how long after the recovery at 120 s
-- it offloaded again (NULL: never), and its probes.
WITH settings AS (
  SELECT run_id, resolved_settings || char(10) AS s FROM runs WHERE finished_at IS NOT NULL
), points AS (
  SELECT run_id,
    CAST(substr(s, instr(s, 'probe.interval_s = ') + 19,
         instr(substr(s, instr(s, 'probe.interval_s = ') + 19), char(10)) - 1) AS REAL) AS interval_s,
    CAST(substr(s, instr(s, 'probe.bytes = ') + 14,
         instr(substr(s, instr(s, 'probe.bytes = ') + 14), char(10)) - 1) AS INTEGER) AS bytes
  FROM settings
)
SELECT p.interval_s AS "probe interval s", p.bytes AS "probe bytes",
  (SELECT COUNT(*) FROM requests q WHERE q.run_id = p.run_id AND q.policy = 'neurosurgeon'
     AND q.arrival_s >= 60 AND q.arrival_s < 120 AND q.bytes_sent > 0) AS "sent into 1 Mbit/s",
  (SELECT MIN(q.arrival_s) - 120 FROM requests q WHERE q.run_id = p.run_id
     AND q.policy = 'neurosurgeon' AND q.arrival_s >= 120 AND q.bytes_sent > 0)
     AS "offloads again after s",
  (SELECT probes FROM policy_runs r WHERE r.run_id = p.run_id AND r.policy = 'neurosurgeon')
     AS probes
FROM points p ORDER BY p.interval_s, p.bytes;
