"""Councils, people, services, assessments, reviews and publishing."""

from assessments.models.people import User

__all__ = ["User"]
