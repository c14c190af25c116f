// Progressive enhancement for the discussion: "Reply" moves the one comment form
// beneath the comment instead of reloading the page. Without this script the link
// loads ?reply=ID, which renders the same form in the same place.
(function () {
  "use strict";
  var form = document.getElementById("reply-form");
  if (!form || form.tagName !== "FORM") {
    return; // closed discussion, or a logged-out reader: the links go to login
  }
  var home = form.parentNode;
  var next = form.nextSibling;
  var parent = form.querySelector("input[name=parent]");
  var heading = form.querySelector("h3");
  var body = form.querySelector("textarea");
  var cancel = document.createElement("p");
  cancel.className = "replying";
  cancel.hidden = true;
  var cancelLink = document.createElement("a");
  cancelLink.href = form.getAttribute("data-base") + "#reply-form";
  cancelLink.textContent = "Cancel reply";
  cancel.appendChild(cancelLink);
  heading.parentNode.insertBefore(cancel, heading.nextSibling);
  var existing = form.querySelector(".cancel-reply");

  function replyTo(link) {
    var article = link.closest("article");
    article.appendChild(form);
    parent.value = link.getAttribute("data-reply");
    heading.textContent = "Reply to " + link.getAttribute("data-name");
    cancel.hidden = !!existing;
    body.focus();
  }

  function reset() {
    home.insertBefore(form, next);
    parent.value = "";
    heading.textContent = "Add a comment";
    cancel.hidden = true;
  }

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("a.reply[data-reply]");
    if (link) {
      ev.preventDefault();
      replyTo(link);
      return;
    }
    if (ev.target === cancelLink) {
      ev.preventDefault();
      reset();
    }
  });
})();

// Votes: the vote form is sent in the background and the score and buttons updated
// in place, which only saves the reload. Without this script (or if the request
// fails or is refused) the form posts normally and the page comes back at the comment.
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("vote")) {
      return;
    }
    var button = ev.submitter;
    if (!button || !window.fetch || !window.FormData) {
      return;
    }
    ev.preventDefault();
    var data = new URLSearchParams(new FormData(form, button));
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json"}})
      .then(function (res) {
        if (!res.ok) {
          throw new Error("vote refused");
        }
        return res.json();
      })
      .then(function (answer) {
        var score = form.parentNode.querySelector(".score data");
        score.value = answer.score;
        score.textContent = answer.score;
        form.querySelectorAll("button[data-dir]").forEach(function (b) {
          var dir = b.getAttribute("data-dir");
          var on = answer.vote === dir;
          b.setAttribute("aria-pressed", on ? "true" : "false");
          b.value = on ? "none" : dir;
        });
      })
      .catch(function () {
        // Let the browser send the form itself: it then shows why, or the new state.
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "dir";
        field.value = button.value;
        form.appendChild(field);
        form.submit();
      });
  });
})();
