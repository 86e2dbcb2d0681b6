// The chair pages' one script, served from our own origin (the Content-Security-Policy allows
// no inline script). It does small things and the pages work without it:
// - ticks every countdown to the next reading due (`.chair-countdown[data-due]`) each second,
//   against the server's clock (`data-now` of the live region), which decided the due time;
// - lets htmx show a refused form: a 409 (someone else saved first, or the rules refuse) or a
//   422 (a field to correct) carries the page's message and is swapped in like a success;
// - after a refused form posted without htmx, puts the session page's address back in the bar;
// - after htmx swaps the live region (a reading saved), brings the newest critical alert that
//   was not there before into view and moves focus to it: on a phone the reading form sits
//   below the alerts, so a new alert would otherwise appear off screen.
// htmx also stops settling the `style` attribute: on a swap it would copy an empty `style=""`
// onto form fields, which the Content-Security-Policy (no inline style) refuses.
(function () {
  "use strict";

  if (window.htmx) {
    window.htmx.config.attributesToSettle = ["class", "width", "height"];
  }

  var offsetMs = 0; // the server's clock minus this device's clock

  function syncClock() {
    var holder = document.querySelector("[data-now]");
    if (!holder) return;
    var server = Date.parse(holder.getAttribute("data-now"));
    if (!isNaN(server)) offsetMs = server - Date.now();
  }

  function minutesAndSeconds(totalSeconds) {
    var minutes = Math.floor(totalSeconds / 60);
    var seconds = totalSeconds % 60;
    return minutes + " min " + (seconds < 10 ? "0" : "") + seconds + " s";
  }

  function tick() {
    var now = Date.now() + offsetMs;
    var clocks = document.querySelectorAll(".chair-countdown[data-due]");
    for (var i = 0; i < clocks.length; i++) {
      var clock = clocks[i];
      var due = Date.parse(clock.getAttribute("data-due"));
      if (isNaN(due)) continue;
      var left = Math.round((due - now) / 1000);
      if (left > 0) {
        clock.textContent = "in " + minutesAndSeconds(left);
        clock.classList.remove("chair-overdue");
      } else {
        clock.textContent = left === 0 ? "now" : "overdue by " + minutesAndSeconds(-left);
        clock.classList.add("chair-overdue");
      }
    }
  }

  var LIVE = "chair-live";
  var criticalBefore = null; // ids of the critical alerts shown before the live region's swap

  function criticalAlerts() {
    return document.querySelectorAll("#" + LIVE + " .chair-alert-critical[id^='alert-']");
  }

  function alertNumber(element) {
    return parseInt(element.id.slice("alert-".length), 10) || 0;
  }

  function showNewCritical() {
    if (criticalBefore === null) return;
    var before = criticalBefore;
    criticalBefore = null;
    var items = criticalAlerts();
    var newest = null;
    for (var i = 0; i < items.length; i++) {
      if (before[items[i].id]) continue;
      if (newest === null || alertNumber(items[i]) > alertNumber(newest)) newest = items[i];
    }
    if (newest === null) return;
    // Focusable from script only (not a tab stop); focus after scrolling, which it keeps.
    if (!newest.hasAttribute("tabindex")) newest.setAttribute("tabindex", "-1");
    newest.scrollIntoView({ block: "start" });
    newest.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === LIVE) {
      criticalBefore = {};
      var shown = criticalAlerts();
      for (var i = 0; i < shown.length; i++) criticalBefore[shown[i].id] = true;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // Signed out meanwhile (idle time-out, the session's end): the answer is the login page,
    // which goes to the whole window, never into a part of this page.
    var login = document.querySelector("[data-login-url]");
    var landed = event.detail.xhr.responseURL || "";
    if (login && landed.indexOf(login.getAttribute("data-login-url")) !== -1) {
      event.detail.shouldSwap = false;
      window.location.assign(landed);
      return;
    }
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    syncClock();
    tick();
    showNewCritical();
  });

  // A refused form is answered with the page at the form's address (/sessions/<id>/discharge/
  // and the like): put the page's own address back, so that a reload shows the session again
  // instead of sending the form a second time.
  var page = document.querySelector("[data-page-url]");
  if (page && window.history && window.history.replaceState) {
    var own = page.getAttribute("data-page-url");
    if (own && window.location.pathname !== own) {
      window.history.replaceState(null, "", own + window.location.hash);
    }
  }

  syncClock();
  tick();
  window.setInterval(tick, 1000);
})();
