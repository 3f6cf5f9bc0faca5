// Starts GOV.UK Frontend components (Exit this page, error summary, ...).
import { initAll } from "./govuk-frontend.min.js";

initAll();
