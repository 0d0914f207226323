// Marks the states the graph checks warn about: each warning in the list
// names its state in data-lint-state, and each node of the drawing carries
// data-state. Attributes are compared as strings, never built into a
// selector, so a state's name cannot change what is selected.
document.addEventListener("DOMContentLoaded", function () {
  var warned = {};
  document.querySelectorAll("[data-lint-state]").forEach(function (el) {
    warned[el.getAttribute("data-lint-state")] = true;
  });
  document.querySelectorAll("#graph [data-state]").forEach(function (node) {
    if (Object.prototype.hasOwnProperty.call(warned, node.getAttribute("data-state"))) {
      node.classList.add("lint");
    }
  });
  // The same for the states changed since the compared version.
  var changed = {};
  document.querySelectorAll("[data-changed-state]").forEach(function (el) {
    changed[el.getAttribute("data-changed-state")] = el.getAttribute("data-change");
  });
  document.querySelectorAll("#graph [data-state]").forEach(function (node) {
    var name = node.getAttribute("data-state");
    if (Object.prototype.hasOwnProperty.call(changed, name)) {
      node.classList.add("change-" + changed[name]);
    }
  });
});
