/* The timetable run page: live progress of a solve.
 *
 * While the run is not finished, the progress section (data-progress-url) polls its JSON
 * endpoint every second and updates the elements marked data-progress="<field>"; when the
 * run finishes, the page reloads to show the result. No framework, no external resources.
 */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var RETRY_MS = 5000;

  function show(box, name, value) {
    var nodes = box.querySelectorAll('[data-progress="' + name + '"]');
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = value;
    }
  }

  function poll(box) {
    var url = box.getAttribute("data-progress-url");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(box, "status_label", data.status_label);
        show(box, "best_objective", data.best_objective === null ? "—" : String(data.best_objective));
        show(box, "seconds", Number(data.seconds || 0).toFixed(1));
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(box); }, POLL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(function () { poll(box); }, RETRY_MS);
      });
  }

  function start() {
    var box = document.querySelector("[data-progress-url]");
    if (box && box.getAttribute("data-finished") === "false") {
      window.setTimeout(function () { poll(box); }, POLL_MS);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
