ALTER TABLE `observations` ADD `source` text DEFAULT 'other' NOT NULL;--> statement-breakpoint
UPDATE `observations` SET `source` = coalesce(
    (SELECT CASE WHEN u.`source_format` IN ('google_ads', 'meta_ads', 'microsoft_ads') THEN u.`source_format` ELSE 'other' END
      FROM `dataset_uploads` u WHERE u.`id` = `observations`.`upload_id`),
    (SELECT CASE WHEN d.`source_format` IN ('google_ads', 'meta_ads', 'microsoft_ads') THEN d.`source_format` ELSE 'other' END
      FROM `datasets` d WHERE d.`id` = `observations`.`dataset_id`),
    'other');
--> statement-breakpoint
UPDATE `observations` AS o SET `superseded_by` = (
    SELECT min(n.`upload_id`) FROM `observations` n
    WHERE n.`dataset_id` = o.`dataset_id` AND n.`campaign` = o.`campaign` AND n.`period_start` IS o.`period_start`
      AND n.`segment` = o.`segment` AND n.`period_end` IS o.`period_end` AND n.`source` = o.`source` AND n.`upload_id` > o.`upload_id`)
  WHERE o.`superseded_by` IS NOT NULL AND o.`dataset_id` IN (
    SELECT u.`dataset_id` FROM `dataset_uploads` u GROUP BY u.`dataset_id`
    HAVING count(DISTINCT CASE WHEN u.`source_format` IN ('google_ads', 'meta_ads', 'microsoft_ads') THEN u.`source_format` ELSE 'other' END) > 1);--> statement-breakpoint
UPDATE `datasets` SET
    `rows_imported` = (SELECT count(*) FROM `observations` o WHERE o.`dataset_id` = `datasets`.`id` AND o.`superseded_by` IS NULL)
      + (SELECT count(*) FROM `orders` r WHERE r.`dataset_id` = `datasets`.`id`),
    `summary_json` = json_set(`summary_json`,
      '$.rowsImported', (SELECT count(*) FROM `observations` o WHERE o.`dataset_id` = `datasets`.`id` AND o.`superseded_by` IS NULL)
        + (SELECT count(*) FROM `orders` r WHERE r.`dataset_id` = `datasets`.`id`),
      '$.totals.impressions', (SELECT coalesce(sum(o.`impressions`), 0) FROM `observations` o WHERE o.`dataset_id` = `datasets`.`id` AND o.`superseded_by` IS NULL),
      '$.totals.clicks', (SELECT coalesce(sum(o.`clicks`), 0) FROM `observations` o WHERE o.`dataset_id` = `datasets`.`id` AND o.`superseded_by` IS NULL),
      '$.totals.conversions', (SELECT coalesce(sum(o.`conversions`), 0) FROM `observations` o WHERE o.`dataset_id` = `datasets`.`id` AND o.`superseded_by` IS NULL),
      '$.totals.spend', (SELECT coalesce(sum(o.`spend`), 0) FROM `observations` o WHERE o.`dataset_id` = `datasets`.`id` AND o.`superseded_by` IS NULL),
      '$.totals.revenue', (SELECT coalesce(sum(o.`revenue`), 0) FROM `observations` o WHERE o.`dataset_id` = `datasets`.`id` AND o.`superseded_by` IS NULL))
  WHERE json_valid(`summary_json`) AND json_type(`summary_json`, '$.totals') = 'object'
    AND (SELECT count(DISTINCT CASE WHEN u.`source_format` IN ('google_ads', 'meta_ads', 'microsoft_ads') THEN u.`source_format` ELSE 'other' END)
         FROM `dataset_uploads` u WHERE u.`dataset_id` = `datasets`.`id`) > 1;
