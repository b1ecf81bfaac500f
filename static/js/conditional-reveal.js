// Radios that show some questions only for some answers: GOV.UK's conditional reveal,
// with its markup and classes, but not its script (see docs/decisions/0019).
//
// The page marks the radios with data-module="app-conditional-reveal" and each radio
// that reveals a block with data-aria-controls="<the block's id>" (several radios may
// reveal the same block). Without JavaScript every block is shown: GOV.UK's CSS hides
// `.govuk-radios__conditional--hidden` only once the page can run its JavaScript.
//
// GOV.UK Frontend's own Radios component also sets aria-expanded on each radio, which
// ARIA 1.2 does not allow on a radio (axe reports it). Here a radio keeps aria-controls
// only: the block it reveals comes straight after it, so it is the next thing read.

function sync(inputs) {
  const shown = new Set(
    inputs.filter((input) => input.checked).map((input) => input.getAttribute("aria-controls")),
  );
  for (const input of inputs) {
    const block = document.getElementById(input.getAttribute("aria-controls"));
    block.classList.toggle("govuk-radios__conditional--hidden", !shown.has(block.id));
  }
}

export function initConditionalReveals(root = document) {
  for (const radios of root.querySelectorAll('[data-module="app-conditional-reveal"]')) {
    // Marked as started, as GOV.UK Frontend's components mark themselves, and only once.
    if (radios.hasAttribute("data-app-conditional-reveal-init")) continue;
    radios.setAttribute("data-app-conditional-reveal-init", "");
    const inputs = [];
    for (const input of radios.querySelectorAll('input[type="radio"][data-aria-controls]')) {
      const id = input.getAttribute("data-aria-controls");
      if (!document.getElementById(id)) continue;
      input.setAttribute("aria-controls", id);
      input.removeAttribute("data-aria-controls");
      inputs.push(input);
    }
    if (!inputs.length) continue;
    // Radios in the group that reveal nothing still hide the others' blocks when chosen.
    const group = [...radios.querySelectorAll('input[type="radio"]')];
    for (const input of group) {
      input.addEventListener("change", () => sync(inputs));
    }
    // The browser may have restored a different choice (back button) than the page sent.
    window.addEventListener("pageshow", () => sync(inputs));
    sync(inputs);
  }
}
