"""A small read-only JSON API at /api/v1 with an OpenAPI description (issue #18).

``views`` is the blueprint, ``serializers`` turns what the page services return into JSON,
``openapi`` describes every endpoint, ``tokens`` holds personal access tokens and
``settings`` is the page at /settings/tokens where members create and revoke them.
Public endpoints show what a signed-out reader sees (``forum/visibility/``), or with a
token what the pages show that member, never a moderator's view (``http.reader``); the
member's own data is under ``me``.
"""
