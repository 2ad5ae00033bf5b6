/* Jishi's own behaviour. The Content-Security-Policy allows no inline script, so templates mark elements
   with data- attributes and this file (served from 'self') wires them. Every listener is delegated from
   the document, so it also works in fragments htmx swaps in. Every page works without this file. */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (the <noscript> button does it otherwise).
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.submit(); }
  });

  // <form data-confirm="Question?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print], [data-add-row]");
    if (!target) { return; }
    if (target.hasAttribute("data-print")) { window.print(); return; }
    // <button data-add-row="#rows tr.row">: copy the last of the rows it names with its inputs emptied.
    var rows = document.querySelectorAll(target.getAttribute("data-add-row"));
    if (!rows.length) { return; }
    var last = rows[rows.length - 1], copy = last.cloneNode(true);
    copy.classList.remove("has-error");
    copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });  // a new row has no variant id
    last.parentNode.appendChild(copy);
    var first = copy.querySelector("input[type=text]");
    if (first) { first.focus(); }
  });

  // <p data-slug-preview data-name="#id_name" data-slug="#id_slug">: show the address a new store will get
  // while the seller types its name (the server derives the same).
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9\s-]/g, "")
      .trim().replace(/[\s-]+/g, "-").slice(0, 50);
  }
  document.addEventListener("input", function (event) {
    var preview = document.querySelector("[data-slug-preview]");
    if (!preview) { return; }
    var name = document.querySelector(preview.dataset.name), slug = document.querySelector(preview.dataset.slug);
    if (!name || !slug || (event.target !== name && event.target !== slug)) { return; }
    if (!slug.value) { slug.placeholder = slugify(name.value); }
    preview.textContent = location.origin + "/s/" + (slug.value || slugify(name.value) || "…") + "/";
  });
})();
