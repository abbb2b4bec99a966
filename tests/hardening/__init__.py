"""Hardening tests: private documents, the course library's Wagtail collection, draft courses
hidden from schools, teacher profiles after a purchase."""
