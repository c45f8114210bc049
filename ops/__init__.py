"""Commands an operator runs from a checkout with the project's virtualenv: against a
deployed stack, or to build what is deployed (``slim_package``, which ``make package``
runs). Nothing here is part of the Lambda deployment package: ``chalice package`` bundles
only ``app.py``, ``chalicelib/`` and ``vendor/``."""
