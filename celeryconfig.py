"""Celery configuration (placeholder; the service work fills this in)."""
