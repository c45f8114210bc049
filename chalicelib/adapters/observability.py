"""Structured logs (Powertools). Log ids and outcomes, never email addresses or phone numbers."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="standby")
