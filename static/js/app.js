// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function enfocarResumen(raiz) {
    var resumen = (raiz || document).querySelector("[data-enfocar]");
    if (resumen) { resumen.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { enfocarResumen(document); });
  document.addEventListener("htmx:afterSwap", function (e) { enfocarResumen(e.detail.target); });
})();
