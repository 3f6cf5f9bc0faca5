// Starts GOV.UK Frontend components (Exit this page, error summary, ...).
import { initAll } from "./govuk-frontend.min.js";

initAll();

// A page brought back by Back or Forward from the browser's back-forward cache is fetched
// again, so the server decides what it shows now: after the survey is sent, or after Exit this
// page, an old page must not show the answers to whoever holds the phone.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    window.location.reload();
  }
});
