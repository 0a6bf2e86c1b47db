// Wraparound's own script: start GOV.UK Frontend's components (pages work without it).
import { initAll } from "/vendor/govuk/govuk-frontend.min.js";
import { enhanceCopyButtons } from "/static/js/copy.js";
import { enhancePrintButtons } from "/static/js/print.js";

initAll();
enhancePrintButtons(document);
enhanceCopyButtons(document);
