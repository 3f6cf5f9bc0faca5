// Starts Swagger UI on /api/v1/docs (app/api/docs_page.py). A file, not an inline script: the
// service's CSP allows scripts from our own origin only. swagger-ui-bundle.js (deferred) has
// run before this module, and defines the global SwaggerUIBundle.
const root = document.getElementById("swagger-ui");
window.SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  domNode: root,
  // No call to swagger.io's online validator: nothing leaves our origin.
  validatorUrl: null,
  // Its colours (inline, per token) fall below 4.5:1 on the dark code background.
  syntaxHighlight: { activated: false },
  // Off: its links sit inside each operation's button (axe: nested-interactive, target-size).
  deepLinking: false,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
