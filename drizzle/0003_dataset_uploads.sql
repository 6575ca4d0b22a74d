CREATE TABLE `dataset_uploads` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`sha256` text NOT NULL,
	`file_name` text NOT NULL,
	`source_format` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`imported_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`period_start` text,
	`period_end` text,
	`backfill` integer DEFAULT false NOT NULL,
	`rows_imported` integer DEFAULT 0 NOT NULL,
	`rows_added` integer DEFAULT 0 NOT NULL,
	`rows_replaced` integer DEFAULT 0 NOT NULL,
	`rows_rejected` integer DEFAULT 0 NOT NULL,
	`totals_before_json` text NOT NULL,
	`totals_after_json` text NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `dataset_uploads_dataset` ON `dataset_uploads` (`dataset_id`);--> statement-breakpoint
CREATE INDEX `dataset_uploads_sha256` ON `dataset_uploads` (`sha256`);--> statement-breakpoint
ALTER TABLE `observations` ADD `upload_id` integer;--> statement-breakpoint
ALTER TABLE `observations` ADD `superseded_by` integer;--> statement-breakpoint
CREATE INDEX `observations_live` ON `observations` (`dataset_id`,`campaign`,`period_start`) WHERE superseded_by IS NULL;--> statement-breakpoint
ALTER TABLE `rejected_rows` ADD `upload_id` integer;--> statement-breakpoint
INSERT INTO `dataset_uploads` (`dataset_id`, `sha256`, `file_name`, `source_format`, `size_bytes`, `imported_at`, `period_start`, `period_end`, `rows_imported`, `rows_added`, `rows_rejected`, `totals_before_json`, `totals_after_json`)
  SELECT d.`id`, d.`sha256`, d.`file_name`, d.`source_format`, d.`size_bytes`, d.`created_at`, d.`period_start`, d.`period_end`, d.`rows_imported`, d.`rows_imported`, d.`rows_rejected`,
    '{"rows":0,"impressions":0,"clicks":0,"conversions":0,"spend":0,"revenue":0}',
    json_object('rows', (SELECT count(*) FROM `observations` o WHERE o.`dataset_id` = d.`id`) + (SELECT count(*) FROM `orders` r WHERE r.`dataset_id` = d.`id`),
      'impressions', (SELECT coalesce(sum(o.`impressions`), 0) FROM `observations` o WHERE o.`dataset_id` = d.`id`),
      'clicks', (SELECT coalesce(sum(o.`clicks`), 0) FROM `observations` o WHERE o.`dataset_id` = d.`id`),
      'conversions', (SELECT coalesce(sum(o.`conversions`), 0) FROM `observations` o WHERE o.`dataset_id` = d.`id`),
      'spend', (SELECT coalesce(sum(o.`spend`), 0) FROM `observations` o WHERE o.`dataset_id` = d.`id`),
      'revenue', (SELECT coalesce(sum(o.`revenue`), 0) FROM `observations` o WHERE o.`dataset_id` = d.`id`))
  FROM `datasets` d ORDER BY d.`id`;--> statement-breakpoint
UPDATE `observations` SET `upload_id` = (SELECT u.`id` FROM `dataset_uploads` u WHERE u.`dataset_id` = `observations`.`dataset_id`);--> statement-breakpoint
UPDATE `rejected_rows` SET `upload_id` = (SELECT u.`id` FROM `dataset_uploads` u WHERE u.`dataset_id` = `rejected_rows`.`dataset_id`);
