"""Covenants, registration, scoring, award titles, nominations and awards (issue: awards)."""
