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

  // Controls that only work with this file stay hidden without it, also in fragments htmx swaps in.
  function reveal() {
    document.querySelectorAll("[data-reveal][hidden], [data-filter-select][hidden], [data-category-picks][hidden]")
      .forEach(function (el) { el.hidden = false; });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", reveal); } else { reveal(); }
  document.addEventListener("htmx:afterSwap", reveal);

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-reveal], [data-pick-category]");
    if (!target) { return; }
    // <button data-reveal="#id_password" data-show="Show" data-hide="Hide">: show or hide a password.
    if (target.hasAttribute("data-reveal")) {
      var input = document.querySelector(target.getAttribute("data-reveal"));
      if (!input) { return; }
      var shown = input.type === "password";
      input.type = shown ? "text" : "password";
      target.textContent = shown ? target.dataset.hide : target.dataset.show;
      target.setAttribute("aria-pressed", shown ? "true" : "false");
      return;
    }
    // <button data-pick-category="12" data-target="#id_category">: choose that category in the select.
    var select = document.querySelector(target.dataset.target);
    if (!select) { return; }
    select.value = target.dataset.pickCategory;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    target.parentNode.querySelectorAll("[data-pick-category]").forEach(function (chip) {
      chip.classList.toggle("chip-on", chip === target);
      chip.setAttribute("aria-pressed", chip === target ? "true" : "false");
    });
  });

  // <input data-filter-select="#id_category">: typing hides the options (and groups) that do not match.
  document.addEventListener("input", function (event) {
    var filter = event.target.closest && event.target.closest("[data-filter-select]");
    if (!filter) { return; }
    var select = document.querySelector(filter.dataset.filterSelect);
    if (!select) { return; }
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean), firstMatch = null;
    select.querySelectorAll("optgroup").forEach(function (group) {
      var groupText = (group.label || "").toLowerCase(), any = false;
      group.querySelectorAll("option").forEach(function (option) {
        var text = groupText + " " + option.textContent.toLowerCase();
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match) { any = true; firstMatch = firstMatch || option; }
      });
      group.hidden = !any;
    });
    // With one match left, choose it; the seller can still open the list.
    if (firstMatch && words.length && select.querySelectorAll("option:not([hidden])").length <= 2) {
      select.value = firstMatch.value;
    }
  });

  // <div data-currency-follows="#id_country" data-currency="#id_base_currency" data-currencies='{"DE":"EUR"}'>:
  // a new country brings its currency, until the seller picks a currency themselves.
  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest("[data-currency-follows]");
    if (!box) { return; }
    var currency = box.querySelector(box.dataset.currency);
    if (event.target === currency) { box.dataset.currencyChosen = "1"; return; }
    if (event.target !== box.querySelector(box.dataset.currencyFollows) || box.dataset.currencyChosen) { return; }
    var code = JSON.parse(box.dataset.currencies || "{}")[event.target.value];
    if (code && currency.querySelector("option[value='" + code + "']")) { currency.value = code; }
  });
})();
