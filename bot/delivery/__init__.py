"""From stored stories to channels: digests, alerts, notices, quiet hours, the outbox sender, schedules."""
