// Live countdown to the close (or the opening) of the vote. The server renders the values
// first, so the page is complete without JavaScript; this only keeps them current.
(function () {
  "use strict";
  document.querySelectorAll("[data-countdown]").forEach(function (block) {
    var target = Date.parse(block.getAttribute("data-countdown"));
    if (isNaN(target)) return;
    var wasFuture = target > Date.now();
    var cells = {};
    block.querySelectorAll("[data-unit]").forEach(function (el) {
      cells[el.getAttribute("data-unit")] = el;
    });
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var left = Math.max(0, Math.floor((target - Date.now()) / 1000));
      cells.days.textContent = pad(Math.floor(left / 86400));
      cells.hours.textContent = pad(Math.floor((left % 86400) / 3600));
      cells.minutes.textContent = pad(Math.floor((left % 3600) / 60));
      if (left === 0) { clearInterval(timer); if (wasFuture) window.location.reload(); }
    }
    var timer = setInterval(tick, 15000);
    tick();
  });
})();
