// The page an e-mailed link opens (ADR 0532). The link carries its single-use token in the
// fragment ("#…"), which the browser never sends: no access log, proxy or Referer sees it.
// Post it to the server with the form, after dropping it from the address bar and history;
// also when the link is opened on this very page (only the fragment changes, no new load).
(function () {
  "use strict";
  var form = document.querySelector("form[data-link-form]");

  function post() {
    var token = window.location.hash.slice(1);
    // Only a token (tokens.py: URL-safe base64), not an anchor such as an error's "#id_lien".
    if (!form || !/^[A-Za-z0-9_-]{20,128}$/.test(token)) {
      return;
    }
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    form.elements.lien.value = token;
    form.submit();
  }

  window.addEventListener("hashchange", post);
  post();
})();
