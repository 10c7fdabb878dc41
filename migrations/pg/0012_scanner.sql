-- 0012_scanner: the scanner's auto-close of unrated answers looks for appeals answered before a
-- cutoff (appeal_flow.c, store_flow_scan_unrated). Without this index that was a scan of the
-- whole appeals table every OTKLIK_SCAN_INTERVAL_MS (a stall of the database at a million
-- appeals); the partial index holds only the answered ones.
CREATE INDEX appeals_answered ON appeals(answered_at, id) WHERE status = 'answered';
