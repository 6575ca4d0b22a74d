ALTER TABLE `observations` ADD `source` text DEFAULT 'other' NOT NULL;--> statement-breakpoint
UPDATE `observations` SET `source` = coalesce(
    (SELECT CASE WHEN u.`source_format` IN ('google_ads', 'meta_ads', 'microsoft_ads') THEN u.`source_format` ELSE 'other' END
      FROM `dataset_uploads` u WHERE u.`id` = `observations`.`upload_id`),
    (SELECT CASE WHEN d.`source_format` IN ('google_ads', 'meta_ads', 'microsoft_ads') THEN d.`source_format` ELSE 'other' END
      FROM `datasets` d WHERE d.`id` = `observations`.`dataset_id`),
    'other');
