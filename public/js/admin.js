// Newsroom enhancements. Every page works without this file; it only saves steps.

// Select-all: a bulk form marked data-select-all gets a checkbox that ticks every box
// belonging to it, in place of the link that reloads the page with them ticked.
document.querySelectorAll("form[data-select-all]").forEach(function (form) {
  var boxes = document.querySelectorAll('input[type=checkbox][name=ids][form="' + form.id + '"]');
  var link = form.querySelector(".select-all");
  if (!boxes.length || !link) return;
  var label = document.createElement("label");
  var all = document.createElement("input");
  all.type = "checkbox";
  all.id = form.id + "-all";
  label.htmlFor = all.id;
  label.textContent = " Select all";
  var sync = function () {
    var n = 0;
    boxes.forEach(function (b) { if (b.checked) n++; });
    all.checked = n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
  };
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
  });
  boxes.forEach(function (b) { b.addEventListener("change", sync); });
  link.textContent = "";
  link.className = "select-all check";
  link.appendChild(all);
  link.appendChild(label);
  sync();
});
