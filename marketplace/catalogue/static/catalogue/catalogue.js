/* The course catalogue: the filter panel stands open on a wide screen and folds on a phone.
 *
 * Without JavaScript the panel is simply folded (or open when the form has errors); this only
 * opens it where there is room. No framework, no external resources.
 */
(function () {
  "use strict";

  var panel = document.querySelector("[data-catalogue-filters]");
  if (!panel || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 56rem)");

  function follow() {
    if (wide.matches) {
      panel.open = true;
    }
  }

  follow();
  if (wide.addEventListener) {
    wide.addEventListener("change", follow);
  }
})();
