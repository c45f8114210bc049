"""Commands an operator runs against a deployed stack, from a checkout with the project's
virtualenv. Nothing here is part of the Lambda deployment package: ``chalice package``
bundles only ``app.py``, ``chalicelib/`` and ``vendor/``."""
