/* Usulan form: show only the fieldsets of the chosen request type (progressive enhancement:
   without JavaScript every fieldset stays visible and the server checks what is needed). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-usulan-form]");
    if (!form) { return; }
    var kind = form.querySelector("select[name=kind]");
    var sets = form.querySelectorAll("fieldset[data-kinds]");
    function update() {
      sets.forEach(function (set) {
        var wanted = set.getAttribute("data-kinds").split(" ").indexOf(kind.value) >= 0;
        set.hidden = !wanted;
      });
    }
    kind.addEventListener("change", update);
    update();
  });
})();
