DROP TABLE data_deletion_requests;
DROP TABLE platform_pauses;
