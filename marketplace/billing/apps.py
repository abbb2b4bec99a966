from django.apps import AppConfig


class BillingConfig(AppConfig):
    """What a child's plan costs for a term: quotes from the charging standards in force,
    and how an approved waiver falls on each account. No tables of its own."""

    name = "marketplace.billing"
    label = "billing"
