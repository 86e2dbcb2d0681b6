// The patient's questionnaire: hide a question the skip logic does not ask (the C-SSRS asks
// questions 3-5 only after a Yes to question 2, the follow-up only after a Yes to question 6),
// and clear its answer so an unasked question is never sent. Without JavaScript every question
// shows with its "Answer only if ..." note, and the server refuses an answer that should not
// have been given, naming it.
(function () {
  "use strict";
  var form = document.querySelector(".link-form");
  if (!form) { return; }
  var pattern = /question (\d+)/;

  function opener(item) {
    var match = pattern.exec(item.getAttribute("data-asked-if") || "");
    return match ? match[1] : null;
  }

  function update() {
    var items = form.querySelectorAll("fieldset[data-asked-if]");
    for (var i = 0; i < items.length; i++) {
      var number = opener(items[i]);
      if (!number) { continue; }
      var chosen = form.querySelector("input[name='item_" + number + "']:checked");
      var asked = chosen !== null && chosen.value === "yes";
      items[i].hidden = !asked;
      if (!asked) {
        var inputs = items[i].querySelectorAll("input[type=radio]");
        for (var j = 0; j < inputs.length; j++) { inputs[j].checked = false; }
      }
    }
  }

  form.addEventListener("change", update);
  update();
  var errors = document.getElementById("link-errors");
  if (errors) { errors.focus(); }
}());
