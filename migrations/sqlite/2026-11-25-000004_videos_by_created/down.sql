DROP INDEX videos_by_created;
