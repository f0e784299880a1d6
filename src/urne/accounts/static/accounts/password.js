// Progressive enhancement of the password pages (the forms work without it):
// each rule of the policy marked as it is met, show/hide buttons, "use the suggestion",
// confirmation match announced. Nothing typed leaves the page.
(function () {
  "use strict";
  var html = document.documentElement;
  var en = (html.getAttribute("lang") || "fr").indexOf("en") === 0;
  var T = en
    ? { show: "Show", hide: "Hide", met: " (met)", unmet: " (not met)", use: "Use this password",
        count: function (m, n) { return m + " of " + n + " rules met"; },
        match: "The two passwords match.", nomatch: "The two passwords differ.",
        pw: "password" }
    : { show: "Afficher", hide: "Masquer", met: " (respectée)", unmet: " (non respectée)",
        use: "Utiliser ce mot de passe",
        count: function (m, n) { return m + " règle" + (m > 1 ? "s" : "") + " sur " + n + " respectée" + (m > 1 ? "s" : ""); },
        match: "Les deux mots de passe sont identiques.", nomatch: "Les deux mots de passe sont différents.",
        pw: "le mot de passe" };

  function addToggle(input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary password-toggle";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-pressed", "false");
    var label = document.querySelector('label[for="' + input.id + '"]');
    var name = label ? label.textContent.replace("*", "").trim() : T.pw;
    function paint() {
      var shown = input.type === "text";
      button.textContent = (shown ? T.hide : T.show) + " " + name.charAt(0).toLowerCase() + name.slice(1);
      button.setAttribute("aria-pressed", shown ? "true" : "false");
    }
    button.addEventListener("click", function () {
      input.type = input.type === "password" ? "text" : "password";
      paint();
    });
    paint();
    input.insertAdjacentElement("afterend", button);
  }

  document.querySelectorAll("form[data-password-form] input[type=password]").forEach(addToggle);

  var list = document.querySelector(".password-rules__list");
  var password = document.getElementById("id_password");
  var confirmation = document.getElementById("id_confirmation");
  if (!list || !password) return;
  var identifier = (list.getAttribute("data-identifier") || "").toLowerCase();
  var status = document.getElementById("password-rules-status");
  var matchStatus = document.getElementById("password-match-status");
  var items = Array.prototype.slice.call(list.querySelectorAll("li[data-rule]"));
  var timer = null;

  function check() {
    var value = password.value;
    var met = 0;
    items.forEach(function (li) {
      var ok;
      if (li.getAttribute("data-rule") === "email") {
        var v = value.trim().toLowerCase();
        ok = v.length > 0 && v !== identifier && v !== identifier.split("@")[0];
      } else {
        ok = new RegExp(li.getAttribute("data-pattern")).test(value);
      }
      li.classList.toggle("is-met", ok);
      li.querySelector(".password-rules__sr").textContent = ok ? T.met : T.unmet;
      if (ok) met += 1;
    });
    // Announce once typing pauses, not at every key.
    clearTimeout(timer);
    timer = setTimeout(function () { if (status) status.textContent = T.count(met, items.length); }, 700);
    checkMatch();
  }

  function checkMatch() {
    if (!confirmation || !matchStatus || !confirmation.value) return;
    matchStatus.textContent = confirmation.value === password.value ? T.match : T.nomatch;
  }

  password.addEventListener("input", check);
  if (confirmation) confirmation.addEventListener("input", checkMatch);
  check();

  var suggestion = document.querySelector("[data-suggestion]");
  if (suggestion) {
    var use = document.createElement("button");
    use.type = "button";
    use.className = "button button--secondary";
    use.textContent = T.use;
    use.addEventListener("click", function () {
      password.value = suggestion.textContent;
      if (confirmation) confirmation.value = suggestion.textContent;
      check();
      password.focus();
    });
    suggestion.insertAdjacentElement("afterend", use);
  }
})();
