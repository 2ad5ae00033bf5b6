"""Security headers that Django's own SecurityMiddleware does not send: Content-Security-Policy and
Permissions-Policy. (nosniff, Referrer-Policy, Cross-Origin-Opener-Policy and HSTS come from Django's
middleware, X-Frame-Options from the clickjacking middleware; all are configured in settings.)

The policy allows scripts and styles from the site itself only, so templates carry no inline ``<script>``,
no ``on…=`` handlers and no ``style=`` attributes: behaviour lives in ``web/static/web/jishi.js`` (wired by
``data-`` attributes) and looks in ``jishi.css``.
"""

from __future__ import annotations

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp_header = ("Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY
                           else "Content-Security-Policy")
        self.csp = settings.CONTENT_SECURITY_POLICY
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        # A view that needs another policy (none does today) sets its own header, which is kept.
        if self.csp and self.csp_header not in response:
            response[self.csp_header] = self.csp
        if self.permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions
        return response
