PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_observations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` integer NOT NULL,
	`campaign` text NOT NULL,
	`segment` text DEFAULT '' NOT NULL,
	`period_start` text,
	`period_end` text,
	`impressions` integer,
	`clicks` integer DEFAULT 0 NOT NULL,
	`conversions` real DEFAULT 0 NOT NULL,
	`conversions_alt` real,
	`spend` real DEFAULT 0 NOT NULL,
	`revenue` real,
	`line` integer NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_observations`("id", "dataset_id", "campaign", "segment", "period_start", "period_end", "impressions", "clicks", "conversions", "conversions_alt", "spend", "revenue", "line") SELECT "id", "dataset_id", "campaign", "segment", "period_start", "period_end", "impressions", "clicks", "conversions", "conversions_alt", "spend", "revenue", "line" FROM `observations`;--> statement-breakpoint
DROP TABLE `observations`;--> statement-breakpoint
ALTER TABLE `__new_observations` RENAME TO `observations`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `observations_dataset_campaign` ON `observations` (`dataset_id`,`campaign`,`period_start`);