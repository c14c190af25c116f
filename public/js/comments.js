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
