DROP TABLE daily_activity;
