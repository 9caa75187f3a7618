// Progressive enhancement only: every page works without this file.
//
// Focus after an htmx swap. The server's fragment says where attention goes; this file only moves
// the focus, and only when the swap took it away (it was inside the content being replaced), so
// typing in the search box or reading while the export page polls is never interrupted:
//   1. [data-enfocar] in the new content: an error summary, a confirmation, a row's message, the
//      first field of a form that just opened (also on page load);
//   2. else data-regreso: a control that opens something (Editar, Eliminar, Activar, Enviar email
//      in a row; Aceptar of the Alta dialog) names, by id, where the focus returns once what it opened
//      closes (Cancelar, the message's Aceptar): the same control in the re-rendered row, or the CURP;
//   3. else the new content's landing spot (tabindex="-1", e.g. the grid's caption) or first control.
// [data-anunciar] in the new content is said in the polite live region #anuncio (the count and order
// of the grid, the name Validar found, the export's result). Escape activates the [data-cerrar]
// control of the [data-escape] region it is pressed in (Cancelar of a row's confirmation).
(function () {
  "use strict";
  var CONTROLES = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea";
  var regresos = {};   // target id → id of the control the focus returns to
  var tomado = {};     // target id → the focus was inside the target when its request started

  function enfocarMarcado(raiz) {
    var marcado = raiz.matches && raiz.matches("[data-enfocar]") ? raiz : raiz.querySelector("[data-enfocar]");
    if (marcado) { marcado.focus(); }
    return !!marcado;
  }

  // A confirmation rendered open by the server becomes a true modal (focus trapped, Esc closes):
  // Escape does what its [data-cerrar] control does (the Alta dialog's Aceptar).
  function abrirModales(raiz) {
    var abiertos = 0;
    var dialogos = raiz.querySelectorAll("dialog[data-modal][open]");
    dialogos.forEach(function (d) {
      if (typeof d.showModal !== "function") { return; }
      d.close();
      d.showModal();
      abiertos += 1;
      d.addEventListener("cancel", function (evento) {
        var cerrar = d.querySelector("[data-cerrar]");
        if (cerrar) { evento.preventDefault(); cerrar.click(); }
      });
    });
    return abiertos > 0;
  }

  var espera;
  function anunciar(raiz) {
    var fuente = raiz.matches("[data-anunciar]") ? raiz : raiz.querySelector("[data-anunciar]");
    var region = document.getElementById("anuncio");
    if (!fuente || !region) { return; }
    // Emptied first, so the same words twice (two searches with one result) are said twice.
    region.textContent = "";
    clearTimeout(espera);
    espera = setTimeout(function () { region.textContent = fuente.getAttribute("data-anunciar"); }, 150);
  }

  // The document's title says "Error: " while the last answer was an error, as the server does for
  // whole pages (a fragment brings no <title>).
  function titulo(estado) {
    var prefijo = "Error: ", tiene = document.title.indexOf(prefijo) === 0;
    if (estado >= 400 && !tiene) { document.title = prefijo + document.title; }
    if (estado < 400 && tiene) { document.title = document.title.slice(prefijo.length); }
  }

  function destino(nuevo) {
    var id = regresos[nuevo.id];
    delete regresos[nuevo.id];
    var regreso = id && document.getElementById(id);
    if (regreso && nuevo.contains(regreso)) { return regreso; }
    return nuevo.querySelector("[tabindex='-1']") || nuevo.querySelector(CONTROLES);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!abrirModales(document)) { enfocarMarcado(document); }
  });

  document.addEventListener("htmx:beforeRequest", function (evento) {
    var objetivo = evento.detail.target, origen = evento.detail.elt;
    if (!objetivo || !objetivo.id) { return; }
    tomado[objetivo.id] = objetivo.contains(document.activeElement);
    var abre = origen && origen.closest && origen.closest("[data-regreso]");
    if (abre) { regresos[objetivo.id] = abre.getAttribute("data-regreso"); }
  });

  // base.html sets htmx's settle delay to 0, so the new content is made live (hx- attributes) and
  // focused in the same task that put it in the page: nobody can type into a field, or press Enter on
  // a button, in the 20 ms between (the text went to the wrong field; Enter submitted without htmx).
  document.addEventListener("htmx:afterSettle", function (evento) {
    var nuevo = evento.target;
    if (!(nuevo instanceof Element) || !nuevo.isConnected) { return; }
    if (evento.detail.xhr) { titulo(evento.detail.xhr.status); }
    anunciar(nuevo);
    var perdido = tomado[nuevo.id];
    delete tomado[nuevo.id];
    if (abrirModales(nuevo) || !perdido) { return; }  // an open modal holds the focus itself
    if (!enfocarMarcado(nuevo)) {
      var lugar = destino(nuevo);
      if (lugar) { lugar.focus(); }
    }
  });

  // Escape: closes the Administración menu (focus back on its summary), or is Cancelar in a region
  // that has one.
  document.addEventListener("keydown", function (evento) {
    if (evento.key !== "Escape" || !(evento.target instanceof Element)) { return; }
    var menu = evento.target.closest("details.menu__grupo[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
      return;
    }
    var region = evento.target.closest("[data-escape]");
    var cerrar = region && region.querySelector("[data-cerrar]");
    if (cerrar) { evento.preventDefault(); cerrar.click(); }
  });
  // The menu also closes when the focus moves out of it (Tab past its last link) or on a click elsewhere.
  document.addEventListener("focusout", function (evento) {
    var menu = evento.target instanceof Element && evento.target.closest("details.menu__grupo[open]");
    if (menu && evento.relatedTarget && !menu.contains(evento.relatedTarget)) { menu.open = false; }
  });
  document.addEventListener("click", function (evento) {
    document.querySelectorAll("details.menu__grupo[open]").forEach(function (menu) {
      if (!menu.contains(evento.target)) { menu.open = false; }
    });
  });

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
