// The editor's link fields: while a curator types a name, offer the catalogue's matching resources (a
// datalist, which the browser shows accessibly), and keep the chosen one's IRI in the hidden field beside.
// Without this script the server resolves the typed name on save.
(function () {
  "use strict";
  var DELAY_MS = 200;

  function enhance(input, number) {
    var hidden = input.parentNode.querySelector('input[type="hidden"][name="' + input.name + '.iri"]');
    var list = document.createElement("datalist");
    list.id = "vyber-" + number;
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var byLabel = {};
    var timer = null;

    function offer(found) {
      list.textContent = "";
      byLabel = {};
      found.forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.label;
        if (item.code) { option.label = item.code + " " + item.label; }
        byLabel[item.label] = item.iri;
        list.appendChild(option);
      });
    }

    input.addEventListener("input", function () {
      if (hidden && byLabel[input.value]) { hidden.value = byLabel[input.value]; return; }
      if (hidden) { hidden.value = ""; }
      clearTimeout(timer);
      var typed = input.value.trim();
      if (typed.length < 2) { return; }
      timer = setTimeout(function () {
        var url = "/upravy/vyber?" + new URLSearchParams({ trida: input.dataset.picker, q: typed });
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(offer)
          .catch(function () { offer([]); });
      }, DELAY_MS);
    });
  }

  document.querySelectorAll("input[data-picker]").forEach(enhance);
})();
