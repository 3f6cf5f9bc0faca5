// Draws the charts of the dashboard and the quarterly report.
//
// Each chart is an element <div data-chart-spec="ID"> naming a data block
// <script type="application/json" id="ID"> that holds a Vega-Lite spec: data blocks are never
// executed, so the page needs no inline script. Vega's expressions run through vega-interpreter
// (`ast: true`), so the Content-Security-Policy needs no 'unsafe-eval'; vega-embed's and
// vega-tooltip's own <style> elements are turned off (style-src 'self') and their few rules
// live in /static/css/charts.css. The tables beside each chart hold the same figures and stay
// the primary presentation: a chart that cannot be drawn is simply hidden.
import { expressionInterpreter } from "../vendor/vega-interpreter.mjs";

const embed = globalThis.vegaEmbed;

function readSpec(id) {
  const block = id ? document.getElementById(id) : null;
  if (!block) return null;
  try {
    return JSON.parse(block.textContent);
  } catch {
    return null;
  }
}

async function drawChart(container) {
  const spec = readSpec(container.dataset.chartSpec);
  if (!spec || typeof embed !== "function") {
    container.hidden = true;
    return;
  }
  try {
    await embed(container, spec, {
      ast: true,
      expr: expressionInterpreter,
      defaultStyle: false,
      actions: false,
      renderer: "svg",
      tooltip: { disableDefaultStyle: true },
      // Vega's layout notes ("Dropping fit-y ...") are not faults; errors still show.
      logLevel: globalThis.vega?.Error ?? 1,
    });
    // The container is the image (role="img" with a label) and the table beside it holds the
    // figures: the SVG's own mark roles would only repeat them, unlabelled, to screen readers.
    container.querySelector("svg")?.setAttribute("aria-hidden", "true");
    container.classList.add("app-chart--drawn");
  } catch {
    container.hidden = true;
  }
}

for (const container of document.querySelectorAll("[data-chart-spec]")) {
  drawChart(container);
}
