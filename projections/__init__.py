"""Followers of the event log: read models and the Kafka publisher (see issues 4 and 5)."""
