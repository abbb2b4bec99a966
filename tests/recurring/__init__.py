"""Tests of the recurring jobs (``core.recurring``)."""
