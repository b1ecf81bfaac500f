// Type to find an option in a long list (the coordinator's ~400 councils) instead of
// scrolling a drop-down. accessible-autocomplete, loaded by the page before this module,
// puts a text input in place of each <select data-app-autocomplete> and keeps the select,
// hidden, as what the form sends. Without JavaScript the select works as it is.
const autocomplete = window.accessibleAutocomplete;

// The input takes the select's id (so its label and the error summary's link reach it),
// but not the hint and error message the select was described by (alphagov/accessible-
// autocomplete#332). The component rewrites aria-describedby as people type, so those ids
// are put back whenever it does.
function keepDescribedBy(input, ids) {
  const apply = () => {
    const current = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    const wanted = [...ids, ...current.filter((id) => !ids.includes(id))];
    if (wanted.join(" ") !== current.join(" ")) {
      input.setAttribute("aria-describedby", wanted.join(" "));
    }
  };
  apply();
  new MutationObserver(apply).observe(input, {
    attributes: true,
    attributeFilter: ["aria-describedby"],
  });
}

if (autocomplete) {
  for (const select of document.querySelectorAll("select[data-app-autocomplete]")) {
    const id = select.id;
    const describedBy = (select.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    autocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "", // not the words of the empty "Choose…" option
      showAllValues: true,
      // With autoselect the component overlays a second, unlabelled input showing the
      // rest of the first match, which screen readers and axe meet as a nameless field.
      autoselect: false,
    });
    const input = document.getElementById(id);
    if (input && describedBy.length) {
      keepDescribedBy(input, describedBy);
    }
  }
}
