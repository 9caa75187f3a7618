// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function enfocarResumen(raiz) {
    var resumen = (raiz || document).querySelector("[data-enfocar]");
    if (resumen) { resumen.focus(); }
  }
  // A confirmation rendered open by the server becomes a true modal (focus trapped, Esc closes).
  function abrirModales(raiz) {
    (raiz || document).querySelectorAll("dialog[data-modal][open]").forEach(function (d) {
      if (typeof d.showModal !== "function") { return; }
      d.close();
      d.showModal();
    });
  }
  function alCargar(raiz) { enfocarResumen(raiz); abrirModales(raiz); }
  document.addEventListener("DOMContentLoaded", function () { alCargar(document); });
  document.addEventListener("htmx:afterSettle", function () { alCargar(document); });
})();
