-- Reads of a store's year of quarter hours must not touch one heap page per bin: bins of one
-- store arrive interleaved with every other store's, so they are scattered across the table.
-- Carrying the counts in the primary-key index lets those reads be index-only scans over a
-- contiguous run of the index (a store-year of 15-minute bins is ~300 index pages instead of
-- ~17,500 heap pages). The ON CONFLICT targets stay the same columns.
ALTER TABLE traffic_15min
    DROP CONSTRAINT traffic_15min_pkey,
    ADD CONSTRAINT traffic_15min_pkey PRIMARY KEY (store_id, bucket_start, camera_id, line_id, person_class)
        INCLUDE (entrance_id, in_count, out_count);

ALTER TABLE coverage_15min
    DROP CONSTRAINT coverage_15min_pkey,
    ADD CONSTRAINT coverage_15min_pkey PRIMARY KEY (store_id, bucket_start, camera_id) INCLUDE (covered_s);
