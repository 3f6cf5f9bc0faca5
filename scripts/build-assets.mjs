// Builds app/static (git-ignored) from node_modules: compiled CSS, GOV.UK Frontend JS,
// fonts-free assets (images, icons, manifest). Run by `npm run build` from the Makefile.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "app", "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = sass.compile(join(root, "app", "assets", "app.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "app.css"), result.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
cpSync(join(root, "app", "assets", "init.mjs"), join(out, "js", "init.mjs"));
// The free-text pages' in-browser risk panel (data: question_banks/risk_words.yaml).
cpSync(join(root, "app", "assets", "risk-words.mjs"), join(out, "js", "risk-words.mjs"));
cpSync(join(govuk, "assets", "images"), join(out, "assets", "images"), { recursive: true });
cpSync(join(root, "app", "assets", "icons"), join(out, "icons"), { recursive: true });

// Charts (dashboard, quarterly report): Vega-Lite through vega-embed, from our own origin.
// The UMD builds set the globals vega, vegaLite and vegaEmbed; vega-interpreter is an ES module
// whose one bare import (vega-util) is pointed at vega-util's own ES build, copied beside it,
// so the browser needs no import map (an inline script) and no bundler.
const modules = join(root, "node_modules");
const vendor = join(out, "vendor");
mkdirSync(join(vendor, "vega-util"), { recursive: true });
cpSync(join(modules, "vega", "build", "vega.min.js"), join(vendor, "vega.min.js"));
cpSync(join(modules, "vega-lite", "build", "vega-lite.min.js"), join(vendor, "vega-lite.min.js"));
cpSync(join(modules, "vega-embed", "build", "vega-embed.min.js"), join(vendor, "vega-embed.min.js"));
const utilBuild = join(modules, "vega-util", "build");
for (const name of readdirSync(utilBuild).filter((file) => file.endsWith(".js"))) {
  cpSync(join(utilBuild, name), join(vendor, "vega-util", name));
}
const interpreterSource = readFileSync(
  join(modules, "vega-interpreter", "build", "vega-interpreter.js"),
  "utf8",
);
const bareImport = /from ['"]vega-util['"]/g;
if (!bareImport.test(interpreterSource)) {
  throw new Error("vega-interpreter no longer imports vega-util as expected: update the build");
}
writeFileSync(
  join(vendor, "vega-interpreter.mjs"),
  interpreterSource.replace(bareImport, 'from "./vega-util/index.js"'),
);
cpSync(join(root, "app", "assets", "charts.mjs"), join(out, "js", "charts.mjs"));
cpSync(join(root, "app", "assets", "charts.css"), join(out, "css", "charts.css"));

// The API documentation (/api/v1/docs): Swagger UI from npm, served from our own origin, started
// by a script file (no inline script under our CSP), with our contrast fixes.
const swagger = join(modules, "swagger-ui-dist");
mkdirSync(join(vendor, "swagger-ui"), { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]) {
  cpSync(join(swagger, name), join(vendor, "swagger-ui", name));
}
cpSync(join(root, "app", "assets", "api-docs.mjs"), join(out, "js", "api-docs.mjs"));
cpSync(join(root, "app", "assets", "api-docs.css"), join(out, "css", "api-docs.css"));
console.log("assets built in app/static");
