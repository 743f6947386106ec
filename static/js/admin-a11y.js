// The admin's two-box pickers (groups, permissions) label a plain <span> with aria-label, which
// assistive technology ignores: give those icons the image role their label belongs to.
window.addEventListener("load", function () {
  document.querySelectorAll("span.help-tooltip[aria-label]").forEach(function (el) {
    el.setAttribute("role", "img");
  });
});
