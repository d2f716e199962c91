// Accessibility fix for the Django admin (loaded by templates/admin/base_site.html).
// The filter widget of many-to-many fields (SelectFilter2.js) adds a search icon <span> with an
// aria-label but no role, which ARIA forbids on a plain span: give those icons role="img" as they
// appear, before the page's load event ends.
"use strict";
(function () {
    function fix(root) {
        root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
            icon.setAttribute("role", "img");
        });
    }
    new MutationObserver(function () {
        fix(document);
    }).observe(document.documentElement, { childList: true, subtree: true });
})();
