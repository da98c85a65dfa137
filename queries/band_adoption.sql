-- band_adoption: feature adoption among customers in each ARR band for side `at_side`;
-- shows whether larger contracts mandate SSO. Bands come from the temp table
-- arr_bands (config [report] arr_bands), lower bound inclusive, upper exclusive.
-- grain: one row per (band, feature), bands ascending, features in report order.
-- columns:
--   band            VARCHAR        e.g. "$10k-$50k"
--   band_order      INTEGER        1 = smallest
--   band_customers  BIGINT         customers whose ARR falls in the band
--   band_arr        DECIMAL(38,2)  their ARR
--   feature         VARCHAR
--   label           VARCHAR
--   customers       BIGINT         customers in the band with the feature
--   customer_share  DOUBLE         customers / band_customers; NULL for an empty band
WITH banded AS (
    SELECT c.account_key, c.arr, c.features_on, b.band_order
    FROM customers(at_side) c
    JOIN arr_bands b ON c.arr >= b.lower_bound AND (b.upper_bound IS NULL OR c.arr < b.upper_bound)
),
band_totals AS (
    SELECT b.band_order, b.label, count(x.account_key)::BIGINT AS band_customers,
           coalesce(sum(x.arr), 0)::DECIMAL(38,2) AS band_arr
    FROM arr_bands b LEFT JOIN banded x ON x.band_order = b.band_order
    GROUP BY b.band_order, b.label
),
with_feature AS (
    SELECT x.band_order, f.feature, count(*) FILTER (WHERE (x.features_on & f.bit) <> 0)::BIGINT AS customers
    FROM banded x CROSS JOIN features(at_side) f
    GROUP BY x.band_order, f.feature
)
SELECT bt.label AS band, bt.band_order, bt.band_customers, bt.band_arr,
       f.feature, f.label, coalesce(wf.customers, 0)::BIGINT AS customers,
       CASE WHEN bt.band_customers > 0 THEN coalesce(wf.customers, 0)::DOUBLE / bt.band_customers::DOUBLE END AS customer_share
FROM band_totals bt
CROSS JOIN features(at_side) f
LEFT JOIN with_feature wf ON wf.band_order = bt.band_order AND wf.feature = f.feature
ORDER BY bt.band_order, f.position
