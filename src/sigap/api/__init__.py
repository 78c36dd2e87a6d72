"""The versioned REST API for the systems around SIGAP (``/api/v1/``, docs/api.md, ADR 0016).

Machine clients (:class:`~sigap.api.models.ApiClient`) get short-lived signed access tokens with the
OAuth 2.0 client-credentials grant; every endpoint is a thin wrapper around an existing action or
selector, rate-limited per client and written to the audit log.
"""
