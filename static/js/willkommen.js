// After a failed submit the page comes back with an error summary (#fehler, from
// templates/includes/form_errors.html). Move the focus there, so that keyboard and
// screen-reader users hear what went wrong and start from the list of links to the fields.
// A static file: the content security policy allows no inline scripts.
(function () {
  "use strict";
  var summary = document.getElementById("fehler");
  if (!summary) {
    return;
  }
  if (!summary.hasAttribute("tabindex")) {
    summary.setAttribute("tabindex", "-1");
  }
  // At once, not smoothly (Bootstrap makes scrolling smooth): the page has only just loaded.
  summary.scrollIntoView({ block: "start", behavior: "instant" });
  summary.focus({ preventScroll: true });
})();
