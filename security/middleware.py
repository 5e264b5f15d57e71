"""Security headers and request rate limits.

Content-Security-Policy: django-csp 4 (Mozilla's, maintained) rather than a hand-written header.
Django 5.2 has no CSP support of its own (Django 6.0 adds one). django-csp
builds the header from `CONTENT_SECURITY_POLICY`, gives views `@csp_update`/`@csp_exempt`, and nonces
if a template ever needs an inline script; a hand-written middleware would redo all that. The public
site needs no inline script or style at all (its scripts are files in site/static/js), so its policy
allows neither.

Wagtail 8's admin still renders inline scripts and styles (date pickers, inline panels, the page
explorer, the users list) and has no nonce support: in Chromium a strict policy stops the page and
snippet editors from working. Rather than exempting it, `ContentSecurityPolicyMiddleware` gives
the paths of `CSP_ADMIN_PATH_PREFIXES` the policy of `CSP_ADMIN_DIRECTIVES`, which allows inline
code but keeps the rest (no eval, no plugins, no foreign frames or framing, forms and <base> to
this site only). Only signed-in staff see the admin, and Wagtail escapes what editors write.
Wagtail's userbar on public pages, for signed-in editors, is files only and works under the strict
policy.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import ngettext

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config

from . import services
from .client import client_ip
from .rules import rule_for


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's own policy under `CSP_ADMIN_PATH_PREFIXES`."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        prefixes = tuple(getattr(settings, "CSP_ADMIN_PATH_PREFIXES", ()))
        if not report_only and parts.config is None and prefixes and request.path_info.startswith(prefixes):
            parts.config = default_config(settings.CSP_ADMIN_DIRECTIVES)
        return parts


class PermissionsPolicyMiddleware:
    """`Permissions-Policy`: browser features (camera, geolocation…) this site never uses stay off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


class RateLimitMiddleware:
    """429 with `Retry-After` once a client passes the rate of the `RATELIMIT_RULES` rule its request falls under.

    Off when `RATELIMIT_ENABLED` is false (env RATELIMIT_ENABLED=0, e.g. for a load test from one
    address). The API answers JSON in its own error shape; other pages get a Vietnamese HTML page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if getattr(settings, "RATELIMIT_ENABLED", True):
            rule = rule_for(request.path_info, request.method or "GET")
            if rule is not None and rule.rate is not None:
                decision = services.hit_rate_limit(rule=rule.name, rate=rule.rate, ident=client_ip(request))
                if not decision.allowed:
                    return too_many_requests(request, decision.retry_after)
        return self.get_response(request)


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 answer: JSON under /api/ (the API's error shape), a Vietnamese page elsewhere."""
    message = ngettext(
        "Too many requests from your address. Please wait %(seconds)s second and try again.",
        "Too many requests from your address. Please wait %(seconds)s seconds and try again.",
        retry_after,
    ) % {"seconds": retry_after}
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"error": {"message": message}},
            status=429,
            content_type="application/json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )
        response["Access-Control-Allow-Origin"] = "*"  # as the API's other answers: scripts may read why
    else:
        path = request.get_full_path() if request.method in ("GET", "HEAD") else request.path
        retry_url = path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"
        html = render_to_string("security/too_many_requests.html", {"message": message, "retry_url": retry_url})
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
