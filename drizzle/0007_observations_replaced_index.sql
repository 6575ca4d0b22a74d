DROP INDEX `observations_dataset_campaign`;--> statement-breakpoint
CREATE INDEX `observations_replaced` ON `observations` (`dataset_id`,`campaign`,`period_start`) WHERE superseded_by IS NOT NULL;