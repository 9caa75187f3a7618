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

  // A request htmx could not swap (500, network down): say so instead of leaving the page silent.
  function avisarError(texto) {
    var avisos = document.querySelector("#contenido .avisos");
    if (!avisos) {
      avisos = document.createElement("div");
      avisos.className = "avisos";
      document.getElementById("contenido").prepend(avisos);
    }
    var aviso = document.createElement("div");
    aviso.className = "aviso aviso--error";
    aviso.setAttribute("role", "alert");
    aviso.tabIndex = -1;
    aviso.textContent = texto;
    avisos.replaceChildren(aviso);
    aviso.focus();
  }
  document.addEventListener("htmx:responseError", function () {
    avisarError("Ocurrió un error en el sistema y no se guardó ningún cambio. Vuelve a intentarlo.");
  });
  document.addEventListener("htmx:sendError", function () {
    avisarError("No se pudo conectar con el sistema. Revisa tu conexión y vuelve a intentarlo.");
  });
})();
