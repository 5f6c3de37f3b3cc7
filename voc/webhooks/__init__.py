"""Webhooks for CRM systems: subscriptions, a transactional outbox, signed deliveries with retries."""
