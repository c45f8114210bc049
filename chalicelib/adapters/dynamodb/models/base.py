"""What every table model shares: the settings they are named by, and billing."""

from __future__ import annotations

from chalicelib.settings import get_settings

settings = get_settings()


class TableMeta:
    region = settings.region
    billing_mode = "PAY_PER_REQUEST"
