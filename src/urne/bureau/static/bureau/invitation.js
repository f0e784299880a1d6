// The invitation's page (ADR 0700, as ADR 0532 for the voters' links): the e-mailed link
// carries its single-use token in the fragment ("#…"), which the browser never sends. Post
// it with the form, after dropping it from the address bar and the history.
(function () {
  "use strict";
  var form = document.querySelector("form[data-link-form]");

  function post() {
    var token = window.location.hash.slice(1);
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
