"""Tests of the vendor risk grades (``marketplace.risk``)."""
