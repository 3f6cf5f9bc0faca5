"""The API documentation page: Swagger UI from our own origin, under our strict CSP.

Swagger UI (npm `swagger-ui-dist`) is copied into app/static/vendor/swagger-ui by
scripts/build-assets.mjs; the page starts it from a script file (app/assets/api-docs.mjs), so no
inline script and no CDN is needed. `/docs`, where FastAPI apps usually keep it, redirects here.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

DOCS_PATH = "/api/v1/docs"

router = APIRouter(include_in_schema=False)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Victim Voice API</title>
<link rel="stylesheet" href="/static/css/app.css">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="/static/css/api-docs.css">
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js" defer></script>
<script type="module" src="/static/js/api-docs.mjs"></script>
</head>
<body>
<header class="api-docs-header">
<h1 class="govuk-heading-l">Victim Voice API, version 1</h1>
<p class="govuk-body">Send an API key as <code>Authorization: Bearer &lt;key&gt;</code>.
Errors are <code>application/problem+json</code>. The guide is <code>docs/api.md</code> in the
repository; the document itself is
<a class="govuk-link" href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</header>
<main id="swagger-ui" data-openapi-url="/api/v1/openapi.json">
<noscript><p>This page needs JavaScript. Read
<a href="/api/v1/openapi.json">the OpenAPI document</a> instead.</p></noscript>
</main>
</body>
</html>
"""


@router.get(DOCS_PATH)
def api_docs() -> HTMLResponse:
    """Swagger UI for /api/v1/openapi.json (the scripts are files: no inline script)."""
    return HTMLResponse(PAGE)


@router.get("/docs")
def docs_redirect() -> RedirectResponse:
    return RedirectResponse(DOCS_PATH, status_code=308)
