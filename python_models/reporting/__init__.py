"""Step 15: the daily report (Slack Block Kit message and chart)."""
