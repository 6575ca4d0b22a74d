CREATE TABLE `datasets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`file_name` text NOT NULL,
	`source_format` text NOT NULL,
	`sha256` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`currency` text,
	`status` text DEFAULT 'ready' NOT NULL,
	`is_sample` integer DEFAULT false NOT NULL,
	`period_start` text,
	`period_end` text,
	`rows_imported` integer DEFAULT 0 NOT NULL,
	`rows_rejected` integer DEFAULT 0 NOT NULL,
	`mapping_json` text NOT NULL,
	`summary_json` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_sha256_unique` ON `datasets` (`sha256`);--> statement-breakpoint
CREATE TABLE `observations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`campaign` text NOT NULL,
	`segment` text DEFAULT '' NOT NULL,
	`period_start` text,
	`period_end` text,
	`impressions` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`conversions` real DEFAULT 0 NOT NULL,
	`conversions_alt` real,
	`spend` real DEFAULT 0 NOT NULL,
	`revenue` real,
	`line` integer NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `observations_dataset_campaign` ON `observations` (`dataset_id`,`campaign`,`period_start`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`campaign` text NOT NULL,
	`date` text,
	`order_id` text,
	`value` real NOT NULL,
	`line` integer NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `orders_dataset_campaign` ON `orders` (`dataset_id`,`campaign`);--> statement-breakpoint
CREATE TABLE `rejected_rows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`line` integer NOT NULL,
	`raw` text NOT NULL,
	`reason` text NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rejected_rows_dataset` ON `rejected_rows` (`dataset_id`,`line`);