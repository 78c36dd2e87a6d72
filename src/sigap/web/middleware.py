"""Security headers on every response: CSP (no inline scripts), Referrer-Policy, Permissions-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class TrustedProxyMiddleware:
    """A request that a trusted reverse proxy (SIGAP_TRUSTED_PROXIES) received over HTTPS counts as HTTPS.

    The proxy says so in X-Forwarded-Proto; from any other peer the header is ignored (Django's
    SECURE_PROXY_SSL_HEADER would believe it from anyone).  Runs first, so that the HTTPS redirect,
    secure cookies and CSRF origin checks see the scheme the citizen used.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        adopt_forwarded_scheme(request)
        return self.get_response(request)


def adopt_forwarded_scheme(request: HttpRequest) -> None:
    """The scheme a trusted proxy says it received (X-Forwarded-Proto), from a trusted proxy only."""
    from sigap.web.ratelimit import is_trusted_proxy

    proto = request.META.get("HTTP_X_FORWARDED_PROTO", "")
    if proto and is_trusted_proxy(request):
        scheme = proto.split(",")[0].strip().lower()
        if scheme in ("http", "https"):
            request.META["wsgi.url_scheme"] = scheme
