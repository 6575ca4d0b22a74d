CREATE TABLE `campaign_series` (
	`dataset_id` integer PRIMARY KEY NOT NULL,
	`meta` text NOT NULL,
	`data` blob NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
