// Progressive enhancement only: every page works without JavaScript.
import { initConditionalReveals } from "./conditional-reveal.js";
import { initAll } from "./govuk-frontend.min.js";
import { initTimeoutWarning } from "./timeout-warning.js";

initAll();
initConditionalReveals();
initTimeoutWarning();
